/**
 * What the loader hands to the planner: validated, positioned, references and aliases resolved.
 *
 * The `spec` shapes come from schemas/*.schema.json (the single source of truth, via json-schema-to-ts);
 * secrets are still references here (`fromEnv` / `fromFile`) and become `Secret`s in `resolveSecrets`.
 */
import type { SourceLocation } from '../errors.js';
import type { ResourceAddress, ResourceKind } from '../resources.js';
import type { Secret } from '../secret.js';
import type { ResolvedConfig } from '../config/types.js';

export type SecretReference = { fromEnv: string } | { fromFile: string };

export type PermissionGroupSelector = { name: string; scope?: string } | { id: string };

export interface TsigSpec {
  name: string;
  algo: string;
  secret: SecretReference;
}

export interface PeerSpec {
  name: string;
  ip?: string;
  port: number;
  ixfr_enable: boolean;
  /** `metadata.name` of a SecondaryDnsTsig in the same account (managed) … */
  tsig?: string;
  /** … or the id of a TSIG cfgitops does not manage. */
  tsig_id?: string;
}

export interface TokenPolicySpec {
  effect: 'allow' | 'deny';
  permission_groups: PermissionGroupSelector[];
  resources: Record<string, string | Record<string, string>>;
}

export interface TokenSpec {
  name: string;
  policies: TokenPolicySpec[];
  condition?: { request_ip?: { in?: string[]; not_in?: string[] } };
  not_before?: string;
  expires_on?: string;
  status?: 'active' | 'disabled';
  secret?: { sink?: string; key?: string };
}

interface DesiredBase<K extends ResourceKind, S> {
  kind: K;
  address: ResourceAddress & { kind: K };
  /** The alias used in the manifest, if any (for messages). */
  accountAlias?: string;
  annotations: Record<string, string>;
  spec: S;
  /** Where the document starts. */
  source: SourceLocation;
  /** Location of any JSON pointer inside this document (falls back to the nearest existing parent). */
  locate(pointer: string): SourceLocation;
}

export type DesiredTsig = DesiredBase<'SecondaryDnsTsig', TsigSpec>;
export type DesiredPeer = DesiredBase<'SecondaryDnsPeer', PeerSpec>;
export type DesiredToken = DesiredBase<'AccountToken', TokenSpec>;
export type DesiredResource = DesiredTsig | DesiredPeer | DesiredToken;

export interface LoadedManifests {
  /** The directory that was loaded. */
  dir: string;
  config: ResolvedConfig;
  resources: DesiredResource[];
  /** sha256 over every manifest file's path and bytes, in sorted order: a saved plan must match it. */
  digest: string;
  files: string[];
}

/** TSIG secrets resolved from env/files, keyed by `addressKey()`. Only exists in memory. */
export type ResolvedSecrets = ReadonlyMap<string, Secret>;
