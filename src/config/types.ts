/**
 * Configuration after defaults are applied. The raw `kind: Config` document is described by
 * schemas/config.schema.json (the source of truth for what users write); this is what the code reads.
 * Every setting has a default, so an absent or empty Config works.
 */
import type { SourceLocation } from '../errors.js';

export type StateBackendConfig =
  | { backend: 'file'; path: string }
  | {
      backend: 'postgres';
      url?: string;
      workspace: string;
      ssl?: boolean | { rejectUnauthorized?: boolean; ca?: string };
    };

export type SinkConfig =
  | { type: 'file'; path: string; format: 'json' | 'dotenv' }
  | { type: 'age'; path: string; recipients: string[]; layout: 'files' | 'yaml' | 'json' }
  | { type: 'github-actions'; repository: string; environment?: string; tokenEnv: string; apiUrl: string }
  | {
      type: 'exec';
      command: string[];
      timeoutSeconds: number;
      /** Withheld credential variables (see `withheldEnvNames`) the command receives anyway; absent: none. */
      inheritEnv?: string[];
    };

/**
 * How a guardrail's violations count (docs/guardrails.md):
 * - `enforce`: every violation is an error; the plan is shown but cannot be applied.
 * - `warn`: every violation is a warning.
 * - `enforce-new`: a violation by a resource already applied and unchanged by this plan (its step is a no-op or only
 *   rolls its value) is a warning; one by a new, adopted or changed resource is an error. How to adopt a guardrail
 *   on a repository that does not comply yet, and fix what exists over time.
 */
export type GuardrailMode = 'enforce' | 'warn' | 'enforce-new';

export const GUARDRAIL_MODES: readonly GuardrailMode[] = ['enforce', 'warn', 'enforce-new'];

/** The guardrails: each is one setting of `policy`, and its name is how `policy.modes` and findings refer to it. */
export const GUARDRAIL_RULES = [
  'tokenMaxLifetimeDays',
  'forbiddenPermissionGroups',
  'wildcardNeedsIpCondition',
  'peerAllowedCidrs',
  'peerAllowedPorts',
  'aclAllowedCidrs',
] as const;

export type GuardrailRule = (typeof GUARDRAIL_RULES)[number];

export interface GuardrailPolicy {
  /**
   * The mode of every guardrail without one of its own in `modes`; absent: `enforce`. Absent unless written, so the
   * digest and recorded snapshot of a config that predates modes stay what they were.
   */
  mode?: GuardrailMode;
  /** Per guardrail, overriding `mode`: e.g. `{tokenMaxLifetimeDays: enforce-new}`. */
  modes?: Partial<Record<GuardrailRule, GuardrailMode>>;
  /** Tokens must have expires_on within this many days. */
  tokenMaxLifetimeDays?: number;
  /** Permission-group names (or ids) no token may hold. */
  forbiddenPermissionGroups?: string[];
  /** A policy with wildcard resources must come with a request_ip condition. */
  wildcardNeedsIpCondition?: boolean;
  /** Peers must have their ip inside one of these CIDRs. */
  peerAllowedCidrs?: string[];
  peerAllowedPorts?: number[];
  /** ACL ranges must lie inside one of these CIDRs. */
  aclAllowedCidrs?: string[];
}

/** How rotation strategies differ: docs/rotation.md. */
export type RotationStrategy = 'overlap' | 'roll';

/**
 * A rotation policy with durations as written (`30d`, `24h`): `every` absent means never (only `cfgitops rotate`
 * rotates). src/planner/rotation-policy.ts merges a token's own fields over this default and decides what is due.
 */
export interface RotationPolicy {
  every?: string;
  strategy: RotationStrategy;
  grace: string;
}

export interface ResolvedConfig {
  /** Where the Config document was, if there was one. */
  source?: SourceLocation;
  /** alias → 32-hex account id. */
  accounts: Record<string, string>;
  /** Zone aliases: zone name → 32-hex zone id (zone transfer links name zones by either). */
  zones: Record<string, string>;
  state: StateBackendConfig;
  sinks: Record<string, SinkConfig>;
  defaultSink: string;
  /** Delete resources that are in state but no longer in manifests (also `--prune`). */
  prune: boolean;
  /**
   * `spec.suspend: true`: the controller observes and reports but changes nothing. Present only when true, so the
   * config digest of every config that does not use it is what it was before the setting existed.
   */
  suspend?: true;
  /** A plan deleting more than this share of managed resources needs `--allow-mass-delete`. */
  maxDeleteShare: number;
  tokens: {
    /** What to do with a managed token whose status is `expired`. */
    onExpired: 'roll' | 'recreate';
    /** What to do with a managed token whose status is `revoked (exposed)`. */
    onRevoked: 'roll' | 'recreate';
    /**
     * Adopting (or importing) an existing token: `roll` gives it a new value delivered to its sink (the old value
     * stops working); `keep` leaves the value as it is, recorded `external`.
     */
    onAdopt: 'roll' | 'keep';
    /** The default rotation policy of tokens (`tokens.rotation`); a token's `spec.rotation` overrides it field by field. */
    rotation: RotationPolicy;
  };
  api: {
    /** Steps run at once by the executor. */
    concurrency: number;
    /** Client-side pacing: at most this many requests per window, per credential (Cloudflare: 1200 / 300 s). */
    rateLimit: { requests: number; windowSeconds: number };
    retry: { retries: number; minTimeoutMs: number; maxTimeoutMs: number; deadlineSeconds: number };
    timeoutSeconds: number;
  };
  lockTimeoutSeconds: number;
  policy: GuardrailPolicy;
}

export const DEFAULT_SINK_NAME = 'local';

export function defaultConfig(): ResolvedConfig {
  return {
    accounts: {},
    zones: {},
    state: { backend: 'file', path: '.cfgitops/state.json' },
    sinks: { [DEFAULT_SINK_NAME]: { type: 'file', path: '.cfgitops/secrets.json', format: 'json' } },
    defaultSink: DEFAULT_SINK_NAME,
    prune: false,
    maxDeleteShare: 0.3,
    tokens: {
      onExpired: 'recreate',
      onRevoked: 'recreate',
      onAdopt: 'roll',
      // Overlap by default: a rotation must not cut off a consumer still holding the old value (docs/rotation.md).
      rotation: { strategy: 'overlap', grace: '24h' },
    },
    api: {
      // An SDK script's usual pool: with 100 ms answers, 10 at once make ~100 calls/s, well under 200/s per IP.
      concurrency: 10,
      // Cloudflare's own limit: the pacer keeps a margin of it unspent and follows the server's Ratelimit headers,
      // which also count the dashboard and other pipelines on the same credential (src/cloudflare/pacer.ts).
      rateLimit: { requests: 1200, windowSeconds: 300 },
      retry: { retries: 8, minTimeoutMs: 500, maxTimeoutMs: 30_000, deadlineSeconds: 600 },
      timeoutSeconds: 30,
    },
    lockTimeoutSeconds: 0,
    policy: {},
  };
}
