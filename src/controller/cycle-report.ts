/**
 * What one reconcile cycle found and did, as plain data: /status serves it, /metrics is set from it, the log line
 * of each cycle is made of it. Built by pure functions from the workflows' own results — never a secret (plans,
 * state and errors carry none; /status is scrubbed once more on the way out).
 */
import { CfgitopsError, errorList, type CfgitopsErrorJson } from '../errors.js';
import type { ApplyCounts } from '../executor/apply-result.js';
import type { Plan, StepAction } from '../planner/plan.js';
import { RESOURCE_KINDS, type ResourceKind } from '../kinds/registry.js';
import { addressKey } from '../resources.js';
import type { RotationPolicy } from '../config/types.js';
import { rotationDueReason } from '../planner/rotation-policy.js';
import type { RecordedResource, StateDocument } from '../state/types.js';

export const CONTROLLER_MODES = ['apply', 'plan', 'drift'] as const;
export type ControllerMode = (typeof CONTROLLER_MODES)[number];

export type CycleTrigger = 'startup' | 'interval' | 'revision' | 'webhook' | 'manual' | 'retry';

/**
 * - in-sync: nothing to change.
 * - applied: changes were made and all of them succeeded (apply mode).
 * - changes-pending: plan/drift mode found changes (nothing was written, by design).
 * - suspended: `spec.suspend: true`: observed only.
 * - failed: the cycle could not finish (source, manifests, API, a failed step, a guardrail) — `errors` says why.
 */
export const CYCLE_RESULTS = ['in-sync', 'applied', 'changes-pending', 'suspended', 'failed'] as const;
export type CycleResult = (typeof CYCLE_RESULTS)[number];

export interface TokenAges {
  /** Age of the oldest token value cfgitops minted (`value_issued_at`), in seconds; absent: no such token. */
  oldestValueAgeSeconds?: number;
  /** Tokens due by their rotation policy (or --rotate-after where none sets `every`), as the planner decides. */
  dueForRotation: number;
}

export interface CycleReport {
  /** 1, 2, … within this process. */
  cycle: number;
  mode: ControllerMode;
  trigger: CycleTrigger;
  result: CycleResult;
  /** The commit reconciled, for git sources and directories inside a git work tree. */
  revision?: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** The plan's step counts per action (no-op included) and whether it had changes. */
  plan?: { total: Record<StepAction, number>; hasChanges: boolean; configChanged: boolean; warnings: string[] };
  /** apply mode: what the executor did. */
  applied?: ApplyCounts & { undelivered: number };
  /** Resources whose live side differed from the manifests or state at the start of the cycle. */
  drifted: number;
  /** Changes left to do after the cycle (plan/drift mode: all of them; apply mode: the ones that failed). */
  pending: number;
  suspended: { config: boolean; resources: string[] };
  /** Managed resources per kind, from state as the cycle left it. */
  managed?: Record<ResourceKind, number>;
  tokens?: TokenAges;
  errors: CfgitopsErrorJson[];
}

export function changeCount(plan: Plan): number {
  return plan.steps.filter((s) => s.action !== 'no-op').length;
}

/** Distinct resources that a step changes (a resource with an update and a roll counts once). */
export function driftedResources(plan: Plan): number {
  return new Set(plan.steps.filter((s) => s.action !== 'no-op').map((s) => addressKey(s.address))).size;
}

export function suspendedResources(plan: Plan): string[] {
  return plan.steps
    .filter((s) => s.action === 'no-op' && s.reason.startsWith('suspended:'))
    .map((s) => addressKey(s.address));
}

export function planSummary(plan: Plan): NonNullable<CycleReport['plan']> {
  return {
    total: { ...plan.summary.total },
    hasChanges: plan.summary.hasChanges,
    configChanged: plan.summary.configChanged,
    warnings: plan.warnings.map((w) => w.code),
  };
}

export function managedByKind(state: StateDocument): Record<ResourceKind, number> {
  const counts = Object.fromEntries(RESOURCE_KINDS.map((k) => [k, 0])) as Record<ResourceKind, number>;
  for (const r of Object.values(state.resources)) counts[r.kind]++;
  return counts;
}

/**
 * The oldest value's age, and how many tokens are due by their rotation policy — the planner's own rule
 * (src/planner/rotation-policy.ts), so the metric counts exactly what the next apply would rotate.
 */
export function tokenAges(
  state: StateDocument,
  now: number,
  policyOf: (rec: RecordedResource) => RotationPolicy,
): TokenAges {
  let oldest: number | undefined;
  let due = 0;
  for (const r of Object.values(state.resources)) {
    if (r.kind !== 'AccountToken') continue;
    if (rotationDueReason(r, policyOf(r), now) !== undefined) due++;
    const issued = r.value_issued_at === undefined ? NaN : Date.parse(r.value_issued_at);
    if (Number.isNaN(issued)) continue;
    const age = Math.max(0, now - issued);
    oldest = oldest === undefined ? age : Math.max(oldest, age);
  }
  return { ...(oldest !== undefined ? { oldestValueAgeSeconds: Math.floor(oldest / 1000) } : {}), dueForRotation: due };
}

/** Every error as data with its code; anything that is not a CfgitopsError is a bug and says so. */
export function errorsOf(e: unknown): CfgitopsErrorJson[] {
  if (e instanceof CfgitopsError) return errorList(e).map((x) => x.toJSON());
  return [
    {
      code: 'E_INTERNAL',
      message: `internal error (a bug in cfgitops): ${e instanceof Error ? e.message : String(e)}`,
    },
  ];
}
