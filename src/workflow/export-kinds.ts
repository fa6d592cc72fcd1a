/**
 * What `cfgitops export` knows about each resource kind: the shape of a kind's `export` member (each kind's entry
 * is in src/kinds/<kind>/export.ts) and the table of them, a view of the registry in create order (TSIGs before the
 * peers that name them).
 *
 * Every `spec` is written so that the planner compares it equal to the live resource it came from: the exported
 * tree must plan as adoptions only, with no diff and no roll.
 */
import { KINDS, type ResourceKind } from '../kinds/registry.js';
import type { LiveAccount } from '../planner/live.js';
import type { LiveByKind } from '../planner/plan-context.js';
import type { PermissionGroupNamer } from './export-permission-groups.js';

/** Where TSIG secrets are read from in exported manifests. */
export type TsigSecretSource = 'env' | 'file';

/** Everything a kind's entry may consult while writing one account's resources. */
export interface ExportScope {
  /** 32-hex account id. */
  account: string;
  /** What `metadata.account` says: the Config's alias for the account, else its id. */
  accountRef: string;
  /** ms since the epoch (is a token already expired?). */
  now: number;
  permissionGroups: PermissionGroupNamer;
  /** TSIG id → `metadata.name` of the SecondaryDnsTsig declared (or exported in this run) for it. */
  tsigNames: ReadonlyMap<string, string>;
  tsigSecrets: TsigSecretSource;
  /** Environment variable names already used for TSIG secrets (extended as names are given). */
  envTaken: Set<string>;
}

/** The reference a user must satisfy before `plan`: the variable to export, or the file to create. */
export type SecretToProvide = { fromEnv: string } | { fromFile: string };

export interface ExportedSpec {
  spec: Record<string, unknown>;
  annotations?: Record<string, string>;
  secret?: SecretToProvide;
}

export interface ExportKind<K extends ResourceKind> {
  kind: K;
  /** File name stem: one `<account>/<file>.yaml` per kind and account. */
  file: string;
  /** For messages: "TSIG key", "peer", "token". */
  noun: string;
  /** `metadata.name` when the Cloudflare name slugs to nothing. */
  fallbackName: string;
  list(live: LiveAccount): readonly LiveByKind[K][];
  /** Why this live resource is left out (adopting it could not be change-free), or undefined. */
  skip(live: LiveByKind[K], scope: ExportScope): string | undefined;
  spec(live: LiveByKind[K], name: string, scope: ExportScope): ExportedSpec;
}

/** In create order (the registry's): a peer's entry reads the names given to the TSIGs before it. */
export const EXPORT_KINDS: readonly ExportKind<ResourceKind>[] = KINDS.map((k) => k.export);
