/**
 * One reconcile cycle: exactly the CLI's workflows, nothing of its own. apply mode is `apply DIR --auto-approve`
 * (applyWorkflow: load → observe → plan → sinks check → execute under the state lock, journaled); plan and drift
 * modes, and a suspended Config, are `drift` (driftWorkflow: the same read-only preparePlan, no lock, no write).
 * Whatever happens comes back as a CycleReport; nothing is thrown.
 */
import type { App } from '../app.js';
import type { ApplyOutcome } from '../workflow/apply-workflow.js';
import { applyWorkflow } from '../workflow/apply-workflow.js';
import { driftWorkflow } from '../workflow/drift.js';
import { loadManifestsFor } from '../workflow/load.js';
import {
  changeCount,
  driftedResources,
  errorsOf,
  managedByKind,
  planSummary,
  suspendedResources,
  tokenAges,
  type ControllerMode,
  type CycleReport,
  type CycleTrigger,
} from './cycle-report.js';
import type { SourceRevision } from './manifest-source.js';
import type { RotationPolicy } from '../config/types.js';
import { formatDuration } from '../duration.js';
import type { DesiredToken, LoadedManifests } from '../manifest/types.js';
import { tokenRotationPolicy } from '../planner/rotation-policy.js';
import { addressKey } from '../resources.js';
import type { RecordedResource } from '../state/types.js';

export interface CycleSettings {
  mode: ControllerMode;
  emulator: boolean;
  /** Overrides the config's lock timeout (a CLI run holding the lock makes the cycle fail and back off). */
  lockTimeoutSeconds?: number;
  /** Token values older than this count as due for rotation in the metrics. */
  rotateAfterMs: number;
}

export interface CycleInput {
  cycle: number;
  trigger: CycleTrigger;
  source: SourceRevision;
  signal: AbortSignal;
}

type ReportBody = Omit<
  CycleReport,
  'cycle' | 'mode' | 'trigger' | 'startedAt' | 'finishedAt' | 'durationMs' | 'revision'
>;

export async function runCycle(app: App, settings: CycleSettings, input: CycleInput): Promise<CycleReport> {
  const started = app.clock.now();
  let body: ReportBody;
  try {
    body = await reconcile(app, settings, input);
  } catch (e) {
    body = {
      result: 'failed',
      drifted: 0,
      pending: 0,
      suspended: { config: false, resources: [] },
      errors: errorsOf(e),
    };
  }
  if (input.signal.aborted && body.result !== 'failed') {
    // The run stopped early (shutdown, lost leadership, the cycle timeout): say so even if nothing failed.
    body = { ...body, result: 'failed', errors: [...body.errors, ...errorsOf(input.signal.reason)] };
  }
  const finished = app.clock.now();
  return {
    cycle: input.cycle,
    mode: settings.mode,
    trigger: input.trigger,
    ...(input.source.commit !== undefined ? { revision: input.source.commit } : {}),
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started,
    ...body,
  };
}

async function reconcile(app: App, settings: CycleSettings, input: CycleInput): Promise<ReportBody> {
  const manifests = await loadManifestsFor(app, input.source.dir);
  const suspendedConfig = manifests.config.suspend === true;
  const now = (): number => app.clock.now();
  if (settings.mode === 'apply' && !suspendedConfig) {
    const outcome = await applyWorkflow(app, {
      source: { manifests },
      emulator: settings.emulator,
      prune: false,
      allowMassDelete: false,
      ...(settings.lockTimeoutSeconds !== undefined ? { lockTimeoutSeconds: settings.lockTimeoutSeconds } : {}),
      signal: input.signal,
      showPlan: () => undefined,
      // The controller is the reviewer's `--auto-approve`: the manifests were reviewed when they were merged.
      confirm: () => Promise.resolve(true),
    });
    return fromApply(outcome, rotationPolicies(manifests, settings.rotateAfterMs), now());
  }
  const outcome = await driftWorkflow(app, {
    dir: input.source.dir,
    manifests,
    emulator: settings.emulator,
    prune: false,
    // Plan mode (and a suspended apply) reports the guardrails an apply would hit; drift shows every difference.
    allowMassDelete: settings.mode === 'drift',
    enforceGuardrails: settings.mode !== 'drift',
    signal: input.signal,
  });
  if (outcome.kind === 'errors') {
    return {
      result: 'failed',
      drifted: 0,
      pending: 0,
      suspended: { config: suspendedConfig, resources: [] },
      errors: outcome.errors.map((e) => e.toJSON()),
    };
  }
  const { plan } = outcome.report;
  return {
    result: suspendedConfig ? 'suspended' : plan.summary.hasChanges ? 'changes-pending' : 'in-sync',
    plan: planSummary(plan),
    drifted: driftedResources(plan),
    pending: changeCount(plan),
    suspended: { config: suspendedConfig, resources: suspendedResources(plan) },
    managed: managedByKind(outcome.state),
    tokens: tokenAges(outcome.state, now(), rotationPolicies(manifests, settings.rotateAfterMs)),
    errors: [],
  };
}

/**
 * Each recorded token's rotation policy as the planner reads it; where neither the token nor the Config sets
 * `every`, the controller's --rotate-after stands in (the metric predates policies), unless the token says never.
 */
function rotationPolicies(
  manifests: LoadedManifests,
  rotateAfterMs: number,
): (rec: RecordedResource) => RotationPolicy {
  const tokens = new Map<string, DesiredToken>();
  for (const d of manifests.resources) if (d.kind === 'AccountToken') tokens.set(addressKey(d.address), d);
  return (rec) => {
    const d = tokens.get(addressKey(rec));
    const policy = tokenRotationPolicy(d, manifests.config);
    if (policy.every !== undefined || d?.spec.rotation?.every === 'never') return policy;
    return { ...policy, every: formatDuration(rotateAfterMs) };
  };
}

function fromApply(
  outcome: ApplyOutcome,
  policyOf: (rec: RecordedResource) => RotationPolicy,
  now: number,
): ReportBody {
  const { plan, state } = outcome;
  const common = {
    plan: planSummary(plan),
    drifted: driftedResources(plan),
    suspended: { config: false, resources: suspendedResources(plan) },
    managed: managedByKind(state),
    tokens: tokenAges(state, now, policyOf),
  };
  if (outcome.kind !== 'applied') return { ...common, result: 'in-sync', pending: 0, errors: [] };
  const { result } = outcome;
  const errors = result.steps.flatMap((s) => (s.error ? [s.error.toJSON()] : []));
  const ok = result.ok && result.undelivered.length === 0;
  return {
    ...common,
    result: ok ? 'applied' : 'failed',
    applied: { ...result.counts, undelivered: result.undelivered.length },
    pending: result.counts.failed + result.counts.skipped + result.undelivered.length,
    errors:
      errors.length > 0 || ok
        ? errors
        : [{ code: 'E_APPLY_PARTIAL', message: 'the apply did not finish (steps skipped or values undelivered)' }],
  };
}
