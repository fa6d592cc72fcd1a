/**
 * A token whose sink changed has an old value left in the old sink. The move is journaled in two commits
 * (docs/token-lifecycle.md): the old sink is recorded as `stale_sinks` when the roll towards the new sink starts
 * (before any value is minted, so a crash at any point leaves the record), and each entry is dropped in a commit
 * once its removal succeeded. The next plan turns any entry still recorded into a `remove-old-value` step.
 */
import { sameSinkRef, withStaleSinks } from '../kinds/token/stale-sinks.js';
import type { RecordedResource } from '../state/types.js';
import type { StepContext } from './step-context.js';

/**
 * Removes the old values the token's record lists as stale, one commit per success. A failure stops here with the
 * sink's error (naming the sink, with what to do); what is left stays recorded for the next plan.
 */
export async function removeStaleValues(ctx: StepContext): Promise<void> {
  let rec = ctx.journal.current().resources[ctx.key];
  for (const ref of rec?.stale_sinks ?? []) {
    if (!rec) return;
    // Never the value in use: a token moved back to a sink it once left has its live value there.
    if (rec.sink && sameSinkRef(rec.sink, ref)) continue;
    if (!ctx.sinks.names().includes(ref.sink)) {
      // The plan warned (W_STALE_SINK_UNCONFIGURED); the entry stays recorded until someone removes it by hand.
      ctx.log.warn({ sink: ref.sink, key: ref.key }, 'old token value left in a sink that is no longer configured');
      continue;
    }
    const sink = ctx.sinks.get(ref.sink);
    const outcome = await sink.remove(ref, { name: rec.name, id: rec.id, account: rec.account, cf_name: rec.cf_name });
    const current: RecordedResource = ctx.journal.current().resources[ctx.key] ?? rec;
    rec = withStaleSinks(
      current,
      (current.stale_sinks ?? []).filter((s) => !sameSinkRef(s, ref)),
    );
    await ctx.journal.commit([{ type: 'put-resource', resource: rec }]);
    ctx.log.info(
      { tokenId: rec.id, sink: sink.describe(ref), outcome },
      'old token value removed from its former sink',
    );
  }
  // Entries equal to the current sink are dropped without a call (the loop skipped them).
  if (rec?.stale_sinks && rec.sink) {
    const current = rec.sink;
    const kept = rec.stale_sinks.filter((s) => !sameSinkRef(s, current));
    if (kept.length !== rec.stale_sinks.length) {
      await ctx.journal.commit([{ type: 'put-resource', resource: withStaleSinks(rec, kept) }]);
    }
  }
}
