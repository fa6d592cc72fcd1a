/**
 * `drift`: a refresh-only plan. It reads state without the lock and observes live state exactly like `plan` (the
 * same `preparePlan`), so it never writes: no API mutation, no sink call, no state commit. The report is the plan
 * (its steps are the corrections an apply would make) plus findings that name what kind of drift each one is.
 */
import type { App } from '../app.js';
import type { CfgitopsError } from '../errors.js';
import type { FieldChange, Plan, PlanStep, StepAction } from '../planner/plan.js';
import { addressKey } from '../resources.js';
import type { LoadedManifests } from '../manifest/types.js';
import type { StateDocument } from '../state/types.js';
import { loadManifestsFor, resolveSecretsFor } from './load.js';
import { preparePlan } from './prepare-plan.js';

/**
 * - not-applied: declared but never created (a manifest change not applied yet).
 * - deleted-out-of-band: recorded, gone from Cloudflare.
 * - changed: live differs from the manifests (an out-of-band edit, or an unapplied manifest edit).
 * - unmanaged-name-clash: an unmanaged live resource has the desired name (apply would adopt it).
 * - value-roll: a token value must be rolled: it never reached its sink, its sink moved, the token expired or was
 *   revoked (with `roll` configured), or an interrupted run was rolling it.
 * - token-unusable: a token expired that apply re-creates.
 * - token-exposed: Cloudflare revoked a token as exposed (a leaked value): a security incident, with its own exit code
 *   (`drift` exits 3), whether apply replaces it or a prevent-destroy holds it.
 * - decision-needed: a step held by prevent-destroy until a person decides (docs/token-lifecycle.md).
 * - pending-intent: an interrupted run left a journal intent.
 * - not-in-manifests: recorded, no longer declared (deleted only with --prune).
 */
export type DriftKind =
  | 'not-applied'
  | 'deleted-out-of-band'
  | 'changed'
  | 'unmanaged-name-clash'
  | 'value-roll'
  | 'token-unusable'
  | 'token-exposed'
  | 'decision-needed'
  | 'pending-intent'
  | 'not-in-manifests';

export interface DriftFinding {
  kind: DriftKind;
  /** `addressKey` of the resource. */
  resource: string;
  /** The plan step that corrects it, when there is one. */
  action?: StepAction;
  reason: string;
  diff: FieldChange[];
}

export interface DriftReport {
  drifted: boolean;
  /** A token was revoked as exposed: the run must be loud about it (drift's exit code 3). */
  exposed: boolean;
  /** Where the live side was read from. */
  target: string;
  /** True when that was the embedded emulator. */
  emulated: boolean;
  /** Config `accounts` (alias → id), so reports name accounts by alias. */
  accounts: Readonly<Record<string, string>>;
  findings: DriftFinding[];
  plan: Plan;
  /** Outgoing zone transfers read live (Cloudflare is primary): what DNS engineers check first. */
  transfers: OutgoingTransferStatus[];
}

export interface OutgoingTransferStatus {
  zone_id: string;
  name: string;
  /** `GET …/outgoing/status` (e.g. "Enabled", "Disabled"). */
  status: string | null;
  soa_serial?: number;
  last_transferred_time?: string;
}

export interface DriftRequest {
  dir: string;
  emulator: boolean;
  prune: boolean;
  /** Manifests the caller already loaded from `dir` (the controller loads them to read its settings first). */
  manifests?: LoadedManifests;
  /** Default true: drift reports what differs; the controller's plan mode sets false to see apply's guardrails. */
  allowMassDelete?: boolean;
  /**
   * Default false: an enforced guardrail violation (E_POLICY_VIOLATION) is what apply refuses, not a difference, so
   * drift still reports (the findings stay beside their steps in `report.plan`); the controller's plan mode sets
   * true to fail on it as apply would.
   */
  enforceGuardrails?: boolean;
  signal?: AbortSignal;
}

/** `state`: the recorded state the report compared against. */
export type DriftOutcome =
  { kind: 'report'; report: DriftReport; state: StateDocument } | { kind: 'errors'; errors: CfgitopsError[] };

export async function driftWorkflow(app: App, request: DriftRequest): Promise<DriftOutcome> {
  const manifests = request.manifests ?? (await loadManifestsFor(app, request.dir));
  const target = await app.connect(manifests.config, { emulator: request.emulator, operation: 'drift' });
  try {
    const prepared = await preparePlan(
      app,
      target,
      manifests,
      // Only through applied references: drift reads no variable or file the manifests newly chose.
      (skip) => resolveSecretsFor(app, manifests, skip),
      { prune: request.prune, allowMassDelete: request.allowMassDelete ?? true },
      undefined,
      request.signal,
    );
    const errors = request.enforceGuardrails
      ? prepared.errors
      : prepared.errors.filter((e) => e.code !== 'E_POLICY_VIOLATION');
    if (errors.length > 0) return { kind: 'errors', errors };
    const findings = driftFindings(prepared.plan, prepared.state);
    return {
      kind: 'report',
      state: prepared.state,
      report: {
        drifted: findings.length > 0,
        exposed: findings.some((f) => f.kind === 'token-exposed'),
        target: target.describe,
        emulated: target.emulated,
        accounts: manifests.config.accounts,
        findings,
        plan: prepared.plan,
        transfers: Object.values(prepared.live.accounts).flatMap((a) =>
          (a.outgoing ?? []).map((l) => ({
            zone_id: l.zone_id,
            name: l.name,
            status: l.status ?? null,
            ...(l.soa_serial !== undefined ? { soa_serial: l.soa_serial } : {}),
            ...(l.last_transferred_time !== undefined ? { last_transferred_time: l.last_transferred_time } : {}),
          })),
        ),
      },
    };
  } finally {
    await target.close();
  }
}

/** Pure: what drifted, one finding per cause (a step can carry two: an update that also rolls). */
export function driftFindings(plan: Plan, state: StateDocument): DriftFinding[] {
  const findings: DriftFinding[] = [];
  const intentsSeen = new Set<string>();
  for (const step of plan.steps) {
    const resource = addressKey(step.address);
    const recorded = state.resources[resource] !== undefined;
    const add = (kind: DriftKind, diff: FieldChange[] = step.diff): void => {
      findings.push({ kind, resource, action: step.action, reason: step.reason, diff });
    };
    if (step.resolvesIntent !== undefined) {
      intentsSeen.add(step.resolvesIntent);
      add('pending-intent', []);
    }
    const kind = stepDriftKind(step, recorded);
    if (kind !== undefined) add(kind);
    if (step.decision?.action === 'replace-exposed') add('token-exposed');
    if (step.action === 'update' && step.rollValue === true) add('value-roll', []);
  }
  for (const intent of Object.values(state.pending)) {
    if (intentsSeen.has(intent.id)) continue;
    findings.push({
      kind: 'pending-intent',
      resource: addressKey(intent),
      reason: `an interrupted run left a ${intent.op} intent (${intent.id}) that this plan does not resolve`,
      diff: [],
    });
  }
  // Without --prune the planner makes no step for these (only a warning): find them by address.
  const planned = new Set(plan.steps.map((s) => addressKey(s.address)));
  for (const resource of Object.keys(state.resources).sort()) {
    if (planned.has(resource)) continue;
    findings.push({
      kind: 'not-in-manifests',
      resource,
      reason: 'recorded in state but no longer in the manifests; apply --prune deletes it',
      diff: [],
    });
  }
  return findings;
}

function stepDriftKind(step: PlanStep, recorded: boolean): DriftKind | undefined {
  switch (step.action) {
    case 'no-op':
      return undefined;
    case 'create':
      if (step.resolvesIntent !== undefined) return undefined;
      return recorded ? 'deleted-out-of-band' : 'not-applied';
    case 'update':
      return 'changed';
    case 'adopt':
      return step.resolvesIntent !== undefined ? undefined : 'unmanaged-name-clash';
    case 'roll-secret':
    case 'rotate':
      // A rotation due by policy (or an interrupted one) is a value apply will roll, like an undelivered one.
      return 'value-roll';
    case 'delete-predecessor':
    case 'remove-old-value':
      // Housekeeping of an overlap rotation's expired predecessor: nothing differs from the manifests.
      return undefined;
    case 'replace':
      return 'token-unusable';
    case 'replace-exposed':
      return 'token-exposed';
    case 'held':
      return 'decision-needed';
    case 'delete':
    case 'forget':
      return 'not-in-manifests';
  }
}
