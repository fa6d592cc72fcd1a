/**
 * What `cfgitops export` knows about each resource kind: one entry per kind, in create order (TSIGs before the
 * peers that name them). A kind is exported by adding its entry here; when resource kinds get one home each with a
 * registry (issue 15: ACLs and zone links), an entry becomes that kind's `export` member and this table a view of
 * the registry. Zone transfer links and ACLs are not exported yet because cfgitops does not manage them yet.
 *
 * Every `spec` is written so that the planner compares it equal to the live resource it came from: the exported
 * tree must plan as adoptions only, with no diff and no roll.
 */
import type { CfPeer, CfToken, CfTsig } from '../cloudflare/types.js';
import type { LiveAccount } from '../planner/live.js';
import type { LiveByKind } from '../planner/plan-context.js';
import { parseInstant } from '../planner/instant.js';
import { ANNOTATION_ON_ADOPT, type ResourceKind } from '../resources.js';
import type { PermissionGroupNamer } from './export-permission-groups.js';
import { tsigEnvName } from './export-names.js';

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

const tsigExport: ExportKind<'SecondaryDnsTsig'> = {
  kind: 'SecondaryDnsTsig',
  file: 'tsigs',
  noun: 'TSIG key',
  fallbackName: 'tsig',
  list: (live) => live.tsigs,
  skip: () => undefined,
  spec: (live: CfTsig, name, scope) => {
    // Never the secret itself: a reference the user fills in (the planner compares it with the live secret).
    const secret: SecretToProvide =
      scope.tsigSecrets === 'file'
        ? { fromFile: `secrets/${name}.key` }
        : { fromEnv: tsigEnvName(scope.accountRef, name, scope.envTaken) };
    return { spec: { name: live.name, algo: live.algo, secret }, secret };
  },
};

const peerExport: ExportKind<'SecondaryDnsPeer'> = {
  kind: 'SecondaryDnsPeer',
  file: 'peers',
  noun: 'peer',
  fallbackName: 'peer',
  list: (live) => live.peers,
  skip: () => undefined,
  spec: (live: CfPeer, _name, scope) => {
    const spec: Record<string, unknown> = { name: live.name };
    if (live.ip !== undefined) spec['ip'] = live.ip;
    spec['port'] = live.port ?? 53;
    spec['ixfr_enable'] = live.ixfr_enable ?? false;
    if (live.tsig_id !== undefined) {
      // By manifest name where the TSIG is declared (or exported now); by id for one cfgitops will not manage.
      const tsig = scope.tsigNames.get(live.tsig_id);
      if (tsig !== undefined) spec['tsig'] = tsig;
      else spec['tsig_id'] = live.tsig_id;
    }
    return { spec };
  },
};

const tokenExport: ExportKind<'AccountToken'> = {
  kind: 'AccountToken',
  file: 'tokens',
  noun: 'token',
  fallbackName: 'token',
  list: (live) => live.tokens,
  skip: (live: CfToken, scope) => {
    if (live.status === 'revoked (exposed)') {
      return 'revoked by Cloudflare as exposed: it cannot be used; delete it in Cloudflare';
    }
    const expiresAt = live.expires_on === undefined ? undefined : parseInstant(live.expires_on);
    if (live.status === 'expired' || (expiresAt !== undefined && expiresAt <= scope.now)) {
      return 'expired: adopting it would re-create or roll it (tokens.onExpired); delete it in Cloudflare, or declare a new token';
    }
    return undefined;
  },
  spec: (live: CfToken, _name, scope) => {
    const spec: Record<string, unknown> = {
      name: live.name,
      // As Cloudflare holds them: policy and resource order, flat or nested resources; the planner compares sets.
      policies: live.policies.map((p) => ({
        effect: p.effect,
        permission_groups: p.permission_groups.map((g) => scope.permissionGroups(g.id)),
        resources: p.resources,
      })),
    };
    const ip = live.condition?.request_ip;
    const inList = ip?.in ?? [];
    const notIn = ip?.not_in ?? [];
    if (inList.length > 0 || notIn.length > 0) {
      spec['condition'] = {
        request_ip: { ...(inList.length > 0 ? { in: inList } : {}), ...(notIn.length > 0 ? { not_in: notIn } : {}) },
      };
    }
    if (live.not_before !== undefined) spec['not_before'] = live.not_before;
    if (live.expires_on !== undefined) spec['expires_on'] = live.expires_on;
    spec['status'] = live.status;
    // Its value is in use somewhere and cannot be read back: adoption must keep it there, never roll it.
    return { spec, annotations: { [ANNOTATION_ON_ADOPT]: 'keep' } };
  },
};

/** In create order: a peer's entry reads the names given to the TSIGs before it. */
export const EXPORT_KINDS: readonly ExportKind<ResourceKind>[] = [tsigExport, peerExport, tokenExport];
