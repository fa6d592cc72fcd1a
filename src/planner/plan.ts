/**
 * The plan: plain data, produced by the pure planner, rendered by the renderers, saved with `plan --out`, and
 * carried out by the executor. It never holds a secret: a TSIG secret is re-resolved from the manifests at apply
 * time (a saved plan's manifest digest guarantees they are the same), and a diff shows secrets as `(sensitive)`.
 */
import type { CfTokenBody } from '../cloudflare/types.js';
import type { GuardrailMode, GuardrailRule } from '../config/types.js';
import type { SourceLocation } from '../errors.js';
import type { KindTypes, ResourceKind } from '../kinds/registry.js';
import type { ResourceAddress } from '../resources.js';
import type { SinkRef } from '../state/types.js';

export const PLAN_FORMAT_VERSION = 1;

/**
 * - create: nothing live or recorded → create it (tokens: deliver the value to the sink).
 * - update: recorded and live, but different (or a peer whose POST happened and whose PUT did not).
 * - delete: recorded, no longer desired, and pruning is on.
 * - adopt: not recorded, but exactly one unmanaged live resource has the desired Cloudflare name (also how a
 *   crashed run's pending create is resolved). Recorded; updated if it differs; a token is rolled (its value is
 *   unknown).
 * - replace: delete the live one and create anew (an `expired` token with `tokens.onExpired: recreate`).
 * - replace-exposed: a token Cloudflare revoked as exposed (a leaked value): a security incident, so its own action.
 *   The leaked id is deleted and a new token created, whatever `tokens.onRevoked` says: a leaked id is never rolled.
 * - roll-secret: same token id, new value delivered to the sink (value undelivered, expired per config, sink moved).
 * - held: a replace or replace-exposed that `cfgitops.dev/prevent-destroy` stops. Nothing is done; the step says
 *   which human decision unblocks it and how to record it (docs/token-lifecycle.md). Never an error: the rest of
 *   the plan goes ahead.
 * - rotate: a token's value is due by its rotation policy (or `cfgitops rotate` forces it), or an interrupted
 *   overlap rotation is finished: see `rotation` (src/planner/plan-rotation.ts, docs/rotation.md).
 * - delete-predecessor: the predecessor an overlap rotation left has reached its expiry: delete it.
 * - remove-old-value: a token's sink changed and its new value is delivered, but an old value is still recorded in a
 *   former sink (`stale_sinks`: a run died between the two): remove it from there (see `removeOldValues`).
 * - forget: recorded but gone live and no longer desired: drop from state with no API call.
 * - no-op: in sync (kept so reports can list what was checked).
 */
export type StepAction =
  | 'create'
  | 'update'
  | 'delete'
  | 'adopt'
  | 'replace'
  | 'replace-exposed'
  | 'roll-secret'
  | 'held'
  | 'rotate'
  | 'delete-predecessor'
  | 'remove-old-value'
  | 'forget'
  | 'no-op';

export const STEP_ACTIONS: readonly StepAction[] = [
  'create',
  'update',
  'delete',
  'adopt',
  'replace',
  'replace-exposed',
  'roll-secret',
  'held',
  'rotate',
  'delete-predecessor',
  'remove-old-value',
  'forget',
  'no-op',
];

/**
 * How a `rotate` step rotates (docs/rotation.md). `roll`: same id, new value (with the body PUT first when the
 * token also drifted). `overlap`: the token in force (`targetId`) is renamed `retiredName`, a successor is created
 * from `body` and its value delivered, and only then is the predecessor given an `expires_on` of now + grace.
 */
export interface PlannedRotation {
  strategy: 'overlap' | 'roll';
  /** The generation the new value will have. */
  generation: number;
  /** overlap: how long the predecessor keeps working once the successor's value is delivered. */
  graceSeconds?: number;
  /** overlap: the predecessor's name once retired, unique per account so the successor can take the token's name. */
  retiredName?: string;
  /** overlap: the predecessor as live, for the PUTs that rename and bound it (PUT is a full replacement). */
  predecessorBody?: CfTokenBody;
  /**
   * overlap: where the successor comes from — `create` it; `adopt` the one an interrupted run created (found by name
   * as `successorId`, its value rolled since nobody read it); or it is `recorded` already (finishing delivery/bound).
   */
  successor?: 'create' | 'adopt' | 'recorded';
  successorId?: string;
}

/**
 * One changed field. `sensitive` fields have `before`/`after` replaced by `(sensitive)`. A set-valued field
 * (a policy's permission groups or resources, CIDR lists, list settings) has `added`/`removed` members instead of
 * `before`/`after`, so a reviewer reads one line per change (src/planner/diff-policies.ts).
 */
export interface FieldChange {
  /** JSON pointer into the spec, e.g. `/ip`, `/policies/0/permission_groups`, `/condition/request_ip/in`. */
  path: string;
  before?: unknown;
  after?: unknown;
  added?: string[];
  removed?: string[];
  sensitive?: boolean;
}

export interface PlannedTsigBody {
  kind: 'SecondaryDnsTsig';
  name: string;
  algo: string;
  /** The secret itself is taken from the resolved manifests at apply time. */
}

export interface PlannedPeerBody {
  kind: 'SecondaryDnsPeer';
  name: string;
  ip?: string;
  port: number;
  ixfr_enable: boolean;
  /** A TSIG id known at plan time (unmanaged `tsig_id`, or a managed TSIG that already exists) … */
  tsig_id?: string;
  /** … or the address key of a managed TSIG created earlier in this same apply (its id is read from state). */
  tsig_ref?: string;
}

export interface PlannedAclBody {
  kind: 'SecondaryDnsAcl';
  name: string;
  ip_range: string;
}

/** A zone transfer link's peer: an id known at plan time, or the address key of a peer this plan creates. */
export type PlannedPeerRef = { id: string } | { ref: string };

export interface PlannedZoneLinkBody {
  kind: 'SecondaryDnsIncoming' | 'SecondaryDnsOutgoing';
  zone_id: string;
  name: string;
  peers: PlannedPeerRef[];
  /** Incoming. */
  auto_refresh_seconds?: number;
  /** Outgoing. */
  enabled?: boolean;
}

export interface PlannedTokenBody {
  kind: 'AccountToken';
  /** Permission-group names already resolved to ids; always the full body (PUT is a full replacement). */
  body: CfTokenBody;
}

/** One per registered kind (src/kinds/registry.ts). */
export type PlannedBody = KindTypes[ResourceKind]['body'];

export interface PlanStep {
  /** Unique in the plan: `${action}:${addressKey}`. */
  id: string;
  action: StepAction;
  address: ResourceAddress;
  /** The Cloudflare-side name (`spec.name`), how resources are found by name after a crash. */
  cfName: string;
  /** The live Cloudflare id acted on (update, delete, adopt, replace, roll-secret). */
  targetId?: string;
  /** Where the resource is declared (absent for deletes of resources no longer in the manifests). */
  source?: SourceLocation;
  /** Why, in one sentence a reviewer understands: "ip changed out of band", "not in manifests (--prune)". */
  reason: string;
  diff: FieldChange[];
  /** Step ids that must succeed first (a peer's TSIG; deletes of peers before their TSIG). */
  dependsOn: string[];
  /** What to send for create / update / adopt / replace. */
  body?: PlannedBody;
  /** Tokens: where the value goes. */
  sink?: SinkRef;
  /**
   * Tokens: former sinks that hold (or may hold) an old value of this token, removed once the new value is
   * delivered (state `stale_sinks`). Absent when none.
   */
  removeOldValues?: SinkRef[];
  /** Tokens: mint a new value (roll) as part of this step and deliver it to the sink. */
  rollValue?: boolean;
  /** `rotate` steps: how. */
  rotation?: PlannedRotation;
  /** The journal intent this step resolves (a crashed run's create). */
  resolvesIntent?: string;
  /** Annotations that matter to the executor or reviewers. */
  annotations?: Record<string, string>;
  /**
   * Guardrail violations by this step's resource, shown beside the step. Each is also in the plan's `errors`
   * (severity error: the plan cannot be applied) or `warnings` (W_POLICY_VIOLATION). Absent when there are none.
   */
  guardrails?: GuardrailFinding[];
  /** A no-op whose recorded prevent-destroy flag differs from the manifest: apply records it (no API call). */
  recordsAnnotations?: true;
  /** `held` steps: the change that waits (`replace` or `replace-exposed`) and how a person lets it go ahead. */
  decision?: PendingDecision;
}

/** One guardrail violation, with the mode that decided its severity. */
export interface GuardrailFinding {
  rule: GuardrailRule;
  mode: GuardrailMode;
  severity: 'error' | 'warning';
  message: string;
  /** The offending manifest field. */
  location: SourceLocation;
  /** What to change; for a warning under enforce-new, also that a change to the resource makes it an error. */
  hint: string;
}

/** The one human decision a `held` step waits for. */
export interface PendingDecision {
  /** What would run once decided. */
  action: 'replace' | 'replace-exposed';
  /** The question, in one sentence. */
  question: string;
  /** Each way to record the decision (an annotation to add or remove). */
  how: string[];
}

export interface PlanWarning {
  code: string;
  message: string;
  source?: SourceLocation;
}

export interface PlanSummary {
  /** Count of steps per action (no-op included). */
  total: Record<StepAction, number>;
  /** Same, per account id. */
  byAccount: Record<string, Record<StepAction, number>>;
  /** True when the secret-sink or guardrail configuration differs from the last applied one (`config_changes`). */
  configChanged: boolean;
  /**
   * No-op steps whose only change is to state: the manifest added or removed `cfgitops.dev/prevent-destroy` since
   * the last apply, so apply must record it (else a delete would stay blocked by a flag the manifest dropped).
   * Absent when none.
   */
  annotationsToRecord?: number;
  /** True when any step would change something (anything but no-op), or the configuration or a recorded annotation. */
  hasChanges: boolean;
}

export interface Plan {
  format_version: typeof PLAN_FORMAT_VERSION;
  /** ISO time given to the planner (the planner never reads the clock). */
  created_at: string;
  /** Digest of all manifest files (see LoadedManifests.digest). */
  manifests_digest: string;
  /** The manifest directory, relative to where `plan` ran; `apply PLAN` loads it again (secrets, digest check). */
  manifests_dir?: string;
  /** Digest of the resolved config. */
  config_digest: string;
  /** The state the plan was made against; `apply PLAN` refuses if either changed. */
  state: { lineage: string; serial: number };
  /** In execution order; dependencies are also explicit in `dependsOn`. */
  steps: PlanStep[];
  /**
   * Secret-sink and guardrail settings changed since the last successful apply (paths into the Config `spec`, e.g.
   * `/secrets/sinks/gh/repository`), shown to reviewers in their own section; apply records the new settings.
   * Absent in plans that do not compare config (`rotate`).
   */
  config_changes?: FieldChange[];
  summary: PlanSummary;
  warnings: PlanWarning[];
}

export function emptyActionCounts(): Record<StepAction, number> {
  return Object.fromEntries(STEP_ACTIONS.map((a) => [a, 0])) as Record<StepAction, number>;
}

export function summarize(steps: readonly PlanStep[], configChanged = false): PlanSummary {
  const total = emptyActionCounts();
  const byAccount: Record<string, Record<StepAction, number>> = {};
  for (const s of steps) {
    total[s.action]++;
    const acc = (byAccount[s.address.account] ??= emptyActionCounts());
    acc[s.action]++;
  }
  const annotationsToRecord = steps.filter((s) => s.action === 'no-op' && s.recordsAnnotations === true).length;
  const changed = configChanged || annotationsToRecord > 0 || steps.some((s) => s.action !== 'no-op');
  return {
    total,
    byAccount,
    configChanged,
    ...(annotationsToRecord > 0 ? { annotationsToRecord } : {}),
    hasChanges: changed,
  };
}
