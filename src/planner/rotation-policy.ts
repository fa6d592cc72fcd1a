/**
 * When a token value is due for rotation — the one computation behind the plan's `rotate` steps, `cfgitops rotate`'s
 * selection by policy, and the controller's token-age metrics. Pure: `now` is an input.
 */
import type { ResolvedConfig, RotationPolicy } from '../config/types.js';
import { formatAge, formatDuration, parseDurationText } from '../duration.js';
import type { DesiredToken } from '../manifest/types.js';
import type { RecordedResource } from '../state/types.js';
import { parseInstant } from './instant.js';

/** A token's policy: its own `spec.rotation` fields over the Config's `tokens.rotation`, one by one. */
export function tokenRotationPolicy(d: DesiredToken | undefined, config: ResolvedConfig): RotationPolicy {
  const base = config.tokens.rotation;
  const own = d?.spec.rotation;
  const every = own?.every ?? base.every;
  return {
    ...(every !== undefined && every !== 'never' ? { every } : {}),
    strategy: own?.strategy ?? base.strategy,
    grace: own?.grace ?? base.grace,
  };
}

/** The grace in seconds (the schema guarantees the text; a default of 24 h if it were ever absent). */
export function graceSeconds(policy: RotationPolicy): number {
  return Math.round((parseDurationText(policy.grace) ?? 86_400_000) / 1000);
}

/**
 * Why a recorded token is due by its policy ("value 31 days old, policy every 30d"), or undefined when it is not:
 * no `every`, a value younger than it, or a value cfgitops does not hold (`external`: it lives wherever it was put,
 * and only `cfgitops rotate` moves it into the sink). A value of unknown age is due: nothing says it is young.
 */
export function rotationDueReason(rec: RecordedResource, policy: RotationPolicy, now: number): string | undefined {
  if (policy.every === undefined || rec.value_status === 'external') return undefined;
  const everyMs = parseDurationText(policy.every);
  if (everyMs === undefined) return undefined;
  const issued = rec.value_issued_at === undefined ? undefined : parseInstant(rec.value_issued_at);
  const rule = `policy every ${formatDuration(everyMs)}`;
  if (issued === undefined) return `value of unknown age, ${rule}`;
  const age = now - issued;
  if (age < everyMs) return undefined;
  return `value ${formatAge(age)} old, ${rule}`;
}

/** Token records due by their policies, for metrics (the same rule the planner applies). */
export function dueTokenCount(
  records: readonly RecordedResource[],
  desired: ReadonlyMap<string, DesiredToken>,
  config: ResolvedConfig,
  now: number,
  keyOf: (r: RecordedResource) => string,
): number {
  let due = 0;
  for (const r of records) {
    if (r.kind !== 'AccountToken') continue;
    if (rotationDueReason(r, tokenRotationPolicy(desired.get(keyOf(r)), config), now) !== undefined) due++;
  }
  return due;
}
