/**
 * What the loader hands to the planner: validated, positioned, references and aliases resolved.
 *
 * The `spec` shapes come from the JSON Schemas in ./schemas (emitted to schemas/*.schema.json, the single source of
 * truth) via json-schema-to-ts — no hand-kept twin. Properties with a schema `default` (peer `port`, `ixfr_enable`)
 * are required here because the loader fills them in. Secrets are still references here (`fromEnv` / `fromFile`) and
 * become `Secret`s in `resolveSecrets`.
 *
 * What the loader normalises, beyond the schema: permission-group `scope` is always the full
 * `com.cloudflare.api.*` form; token `secret.sink` and `secret.key` are always filled in (config default sink,
 * `metadata.name`) even though the type keeps them optional for hand-built test fixtures.
 */
import type { FromSchema } from 'json-schema-to-ts';
import type { SourceLocation } from '../errors.js';
import type { ResourceAddress, ResourceKind } from '../resources.js';
import type { Secret } from '../secret.js';
import type { ResolvedConfig } from '../config/types.js';
import type { KindTypes } from '../kinds/registry.js';
import type { aclSpecSchema } from '../kinds/acl/schema.js';
import type { peerSpecSchema } from '../kinds/peer/schema.js';
import type { permissionGroupSelectorSchema, tokenPolicySchema, tokenSpecSchema } from '../kinds/token/schema.js';
import type { secretReferenceSchema, tsigSpecSchema } from '../kinds/tsig/schema.js';

export type SecretReference = FromSchema<typeof secretReferenceSchema>;
export type PermissionGroupSelector = FromSchema<typeof permissionGroupSelectorSchema>;
export type TsigSpec = FromSchema<typeof tsigSpecSchema>;
export type PeerSpec = FromSchema<typeof peerSpecSchema>;
export type AclSpec = FromSchema<typeof aclSpecSchema>;
export type TokenPolicySpec = FromSchema<typeof tokenPolicySchema>;
export type TokenSpec = FromSchema<typeof tokenSpecSchema>;

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
export type DesiredAcl = DesiredBase<'SecondaryDnsAcl', AclSpec>;

/** A zone transfer link as the loader builds it: `zone` the zone id (an alias resolved), `name` always set. */
export type IncomingSpec = {
  zone: string;
  name: string;
  peers: string[];
  auto_refresh_seconds: number;
};
export type OutgoingSpec = {
  zone: string;
  name: string;
  peers: string[];
  enabled: boolean;
};
export type DesiredIncoming = DesiredBase<'SecondaryDnsIncoming', IncomingSpec>;
export type DesiredOutgoing = DesiredBase<'SecondaryDnsOutgoing', OutgoingSpec>;
/** One per registered kind (src/kinds/registry.ts). */
export type DesiredResource = { [K in ResourceKind]: DesiredBase<K, KindTypes[K]['spec']> }[ResourceKind];

export interface LoadedManifests {
  /** The directory that was loaded (as given, e.g. `desired-state`). */
  dir: string;
  config: ResolvedConfig;
  resources: DesiredResource[];
  /** sha256 over every manifest file's path (relative to `dir`) and bytes, in sorted order: a saved plan must match. */
  digest: string;
  /** Manifest files, as shown in messages (relative to the working directory when inside it). */
  files: string[];
  /** Absolute working directory: `source.file` paths and relative config paths are relative to it. */
  cwd: string;
  /** Absolute repository root (nearest ancestor of `dir` holding `.git`, else `dir`): `fromFile` may not leave it. */
  root: string;
}

/** TSIG secrets resolved from env/files, keyed by `addressKey()`. Only exists in memory. */
export type ResolvedSecrets = ReadonlyMap<string, Secret>;
