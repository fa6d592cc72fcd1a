/**
 * Carries out a plan: steps in dependency order, up to `concurrency` at once, every effect journaled.
 *
 * Why the journal looks like this. Cloudflare names are the only way to find a resource whose id was never seen,
 * and a token value is returned exactly once. So each step writes, through one serialized `lock.commit`:
 *   1. before any POST or roll: an intent {op, kind, account, name, cf_name[, resource_id, sink]};
 *   2. right after the response, in ONE commit: the resource with its id, and the intent removed;
 *   3. tokens: the record says `value_status: undelivered` until the sink has stored the value durably; only then
 *      `delivered`. A sink never sees a value whose token id is not yet recorded.
 * Recovery (the planner reads it on the next run):
 *   - a leftover create intent → look the name up: one unmanaged match is adopted (tokens rolled), none → created;
 *   - a peer with `complete: false` (POST done, PUT not) → update, which sends the full body;
 *   - a token `undelivered` (sink failed, or died before the sink) → rolled and delivered again;
 *   - a leftover roll intent → the token is `undelivered` too, so it is rolled.
 * An intent is removed without a record only when Cloudflare refused the request outright (a 4xx), so nothing
 * can have been created. A failed state write stops the run: further results could not be recorded.
 */
import { CfgitopsError, isCfgitopsError } from '../errors.js';
import type { Plan, PlanStep } from '../planner/plan.js';
import { addressKey } from '../resources.js';
import { secretScrubber } from '../secret.js';
import type { ApplyCounts, ApplyResult, ExecutorDeps, StepOutcome, UndeliveredValue } from './apply-result.js';
import { Journal } from './journal.js';
import { runGraph, type NodeOutcome } from './run-graph.js';
import { runStep } from './run-step.js';
import type { StepContext } from './step-context.js';

export const DEFAULT_CONCURRENCY = 4;

export async function executePlan(plan: Plan, deps: ExecutorDeps): Promise<ApplyResult> {
  const journal = new Journal(deps.lock);
  const undelivered: UndeliveredValue[] = [];
  const total = plan.steps.length;
  let settled = 0;
  const now = (): string => new Date(deps.clock.now()).toISOString();
  const halted = (): boolean => deps.signal?.aborted === true || journal.broken !== undefined;

  const contextFor = (step: PlanStep): StepContext => ({
    step,
    key: addressKey(step.address),
    api: deps.api,
    journal,
    sinks: deps.sinks,
    tsigSecrets: deps.tsigSecrets,
    now,
    newId: () => deps.newId(),
    log: deps.log.child({ step: step.id }),
    undelivered: (u) => undelivered.push(u),
  });

  const outcomes = await runGraph(plan.steps, {
    concurrency: deps.concurrency ?? DEFAULT_CONCURRENCY,
    halted,
    run: (step) => runStep(contextFor(step)),
    onStart: (step) => {
      if (!sendsNothing(step)) deps.onProgress?.({ step, phase: 'start', done: settled, total });
    },
    onSettled: (step, outcome) => {
      settled++;
      deps.onProgress?.({ step, phase: phaseOf(step, outcome), done: settled, total });
      if (outcome.status === 'failed') {
        deps.log.error({ step: step.id, code: codeOf(outcome.error) }, 'step failed');
      }
    },
  });

  const steps = plan.steps.map((step) => toStepOutcome(step, outcomes.get(step.id)));
  const counts = countOutcomes(steps);
  return {
    steps,
    undelivered,
    counts,
    ok: counts.failed === 0 && counts.skipped === 0,
    halted: steps.some((s) => s.skipReason === 'halted'),
  };
}

/** No-op and held steps (waiting for a person's decision) change nothing live. */
function sendsNothing(step: PlanStep): boolean {
  return step.action === 'no-op' || step.action === 'held';
}

function phaseOf(step: PlanStep, outcome: NodeOutcome): 'done' | 'failed' | 'skipped' {
  if (outcome.status === 'failed') return 'failed';
  if (outcome.status === 'skipped' || sendsNothing(step)) return 'skipped';
  return 'done';
}

function toStepOutcome(step: PlanStep, outcome: NodeOutcome | undefined): StepOutcome {
  const base = { stepId: step.id, action: step.action, address: step.address };
  if (outcome === undefined) {
    // runGraph settles every node it is given; reaching this is a bug in the executor itself.
    return {
      ...base,
      status: 'failed',
      bug: true,
      error: new CfgitopsError('E_INTERNAL', `step ${step.id} never ran`),
    };
  }
  switch (outcome.status) {
    case 'succeeded':
      return { ...base, status: sendsNothing(step) ? 'unchanged' : 'succeeded' };
    case 'skipped':
      return { ...base, status: 'skipped', skipReason: outcome.reason, blockedBy: outcome.blockedBy };
    case 'failed': {
      if (isCfgitopsError(outcome.error)) return { ...base, status: 'failed', error: outcome.error };
      return { ...base, status: 'failed', bug: true, error: asInternalError(step, outcome.error) };
    }
  }
}

/** A non-CfgitopsError is a bug: kept as the cause, its text scrubbed of any secret before it reaches a message. */
function asInternalError(step: PlanStep, e: unknown): CfgitopsError {
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return new CfgitopsError('E_INTERNAL', `step ${step.id} failed unexpectedly: ${secretScrubber.scrub(what)}`, {
    cause: e,
    hint: 'this is a bug in cfgitops; the state is journaled, so run plan to see what is left to do',
  });
}

function codeOf(e: unknown): string {
  return isCfgitopsError(e) ? e.code : 'E_INTERNAL';
}

function countOutcomes(steps: readonly StepOutcome[]): ApplyCounts {
  const counts: ApplyCounts = { total: steps.length, succeeded: 0, unchanged: 0, failed: 0, skipped: 0 };
  for (const s of steps) counts[s.status]++;
  return counts;
}
