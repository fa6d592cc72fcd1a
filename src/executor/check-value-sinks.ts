/**
 * Before a token value is minted, its sink must be able to take it: a create or a roll kills nothing only if the new
 * value reaches somewhere. A sink that is already known broken (a missing `exec` program, no `$GITHUB_TOKEN`, an
 * unwritable directory) would otherwise turn a working token into an `undelivered` one — the roll destroys the old
 * value first. So apply, rotate and `import --roll` check each distinct sink the plan mints into, read-only, and stop
 * before the first API write; `plan` reports the same problems as warnings — but only for sinks an apply already
 * delivered to with the same configuration (`only`): a sink a pull request adds or re-points is not contacted by
 * `plan` at all (its check would send a credential where the PR says), only listed (`sinkUncheckedWarning`).
 */
import { CfgitopsError, CfgitopsErrors, type SourceLocation } from '../errors.js';
import type { Plan, PlanStep, PlanWarning } from '../planner/plan.js';
import { addressKey, type ResourceAddress } from '../resources.js';
import { describeFailure } from '../secrets/sink-error.js';
import type { SecretSinks } from '../secrets/types.js';

/** A sink the plan mints values into that is not ready to take them. */
export interface SinkNotReady {
  sink: string;
  type: string;
  /** What the sink's check found; never a secret. */
  detail: string;
  /** The tokens whose new values would go there, in plan order. */
  tokens: ResourceAddress[];
  /** Where the first of those tokens is declared (absent for a plan step with no manifest source). */
  source?: SourceLocation;
}

/** Pure: the steps that mint a token value (create, replace, adopt/update with a roll, roll-secret), by sink name. */
export function valueSinksOf(plan: Pick<Plan, 'steps'>): Map<string, PlanStep[]> {
  const bySink = new Map<string, PlanStep[]>();
  for (const step of plan.steps) {
    if (!mintsValue(step) || step.sink === undefined) continue;
    const list = bySink.get(step.sink.sink) ?? [];
    list.push(step);
    bySink.set(step.sink.sink, list);
  }
  return bySink;
}

export function mintsValue(step: PlanStep): boolean {
  if (step.address.kind !== 'AccountToken') return false;
  return (
    step.action === 'create' ||
    step.action === 'replace' ||
    step.action === 'replace-exposed' ||
    step.action === 'roll-secret' ||
    !!step.rollValue
  );
}

/**
 * Runs `check()` once per distinct sink the plan mints into (concurrently; every sink, even after a failure).
 * Checks are read-only for every sink type. An advisory finding (a secrets file others can read, which the write
 * itself fixes) does not make a sink unready.
 */
export async function checkValueSinks(
  plan: Pick<Plan, 'steps'>,
  sinks: SecretSinks,
  only?: ReadonlySet<string>,
): Promise<SinkNotReady[]> {
  const entries = [...valueSinksOf(plan)]
    .filter(([name]) => only === undefined || only.has(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const results = await Promise.all(
    entries.map(async ([name, steps]): Promise<SinkNotReady | undefined> => {
      let type = 'unknown';
      let result: { ok: boolean; detail: string; advisory?: boolean };
      try {
        const sink = sinks.get(name);
        type = sink.type;
        result = await sink.check();
      } catch (e) {
        result = { ok: false, detail: describeFailure(e) };
      }
      if (result.ok || result.advisory === true) return undefined;
      const source = steps.find((s) => s.source !== undefined)?.source;
      return {
        sink: name,
        type,
        detail: result.detail,
        tokens: steps.map((s) => s.address),
        ...(source ? { source } : {}),
      };
    }),
  );
  return results.filter((r): r is SinkNotReady => r !== undefined);
}

export function sinkNotReadyError(p: SinkNotReady): CfgitopsError {
  return new CfgitopsError('E_SINK_NOT_READY', `${describeNotReady(p)}; nothing was changed`, {
    location: p.source,
    hint: `fix the sink (\`cfgitops sinks check\` shows what each one needs), then run again`,
  });
}

/** The same finding as a plan warning: `plan` never writes, but it can say an apply would stop. */
export function sinkNotReadyWarning(p: SinkNotReady): PlanWarning {
  return {
    code: 'W_SINK_NOT_READY',
    message: `${describeNotReady(p)}; apply will refuse until it is fixed (see \`cfgitops sinks check\`)`,
    ...(p.source ? { source: p.source } : {}),
  };
}

/**
 * A sink the plan mints into whose configuration nobody has applied yet: plan does not contact it (docs/security.md);
 * apply checks it, after review, before any API write.
 */
export function sinkUncheckedWarning(sink: string, steps: readonly PlanStep[]): PlanWarning {
  const tokens = steps.map((s) => addressKey(s.address)).join(', ');
  const source = steps.find((s) => s.source !== undefined)?.source;
  return {
    code: 'W_SINK_UNCHECKED',
    message: `sink "${sink}" is new or changed since the last apply, so plan does not contact it; apply checks it before minting a value for ${tokens}`,
    ...(source ? { source } : {}),
  };
}

/** Throws E_SINK_NOT_READY (one error per sink) when any sink the plan mints into is not ready. */
export async function assertValueSinksReady(plan: Pick<Plan, 'steps'>, sinks: SecretSinks): Promise<void> {
  const problems = await checkValueSinks(plan, sinks);
  const errors = problems.map(sinkNotReadyError);
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new CfgitopsErrors(errors);
}

function describeNotReady(p: SinkNotReady): string {
  const tokens = p.tokens.map((t) => addressKey(t)).join(', ');
  return `sink "${p.sink}" is not ready (${p.detail}), so no new value is minted for ${tokens}`;
}
