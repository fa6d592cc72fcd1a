/**
 * `stale_sinks` of a token record: where old values of a token whose sink changed still lie, until removed
 * (docs/token-lifecycle.md). Pure, shared by the planner (which shows the removals) and the executor (which does them).
 */
import type { RecordedResource, SinkRef } from '../../state/types.js';

export function sameSinkRef(a: SinkRef, b: SinkRef): boolean {
  return a.sink === b.sink && a.key === b.key;
}

/**
 * The stale sinks after moving `before` (the record as it was) to `to`: its old sink joins them when its value was
 * delivered there (not `external`, never in a sink; not `undelivered`, whose sink may never have taken any value and
 * may be the broken one); `to` itself is never stale.
 */
export function staleAfterMove(before: RecordedResource | undefined, to: SinkRef): SinkRef[] {
  const stale = [...(before?.stale_sinks ?? [])];
  const old = before?.sink;
  if (old && (before.value_status ?? 'delivered') === 'delivered' && !stale.some((s) => sameSinkRef(s, old)))
    stale.push(old);
  return stale.filter((s) => !sameSinkRef(s, to));
}

/** The record with `stale` as its stale sinks (the field absent when there are none, as in older documents). */
export function withStaleSinks(rec: RecordedResource, stale: readonly SinkRef[]): RecordedResource {
  const { stale_sinks: _old, ...rest } = rec;
  return stale.length === 0 ? rest : { ...rest, stale_sinks: [...stale] };
}
