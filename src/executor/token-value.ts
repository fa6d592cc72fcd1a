/**
 * A token value's path from Cloudflare to its sink. The value exists only in this process between the API response
 * and the sink write, so the order is fixed: the state records the token id (and `undelivered`) first, the sink
 * stores the value durably second, and only then does the state say `delivered`. A failed sink write leaves
 * `undelivered` behind, which the next plan turns into a roll.
 */
import { CfgitopsError } from '../errors.js';
import type { Secret } from '../secret.js';
import { addressKey } from '../resources.js';
import { describeFailure, SinkError } from '../secrets/sink-error.js';
import type { Intent, RecordedResource, StateChange } from '../state/types.js';
import { staleAfterMove, withStaleSinks } from '../kinds/token/stale-sinks.js';
import { removeStaleValues } from './stale-sinks.js';
import { certainlyNotApplied, sinkRefOf, withPreventDestroy, type StepContext } from './step-context.js';

/**
 * Hands `value` to the token's sink. `rec` is the token as already recorded (id known, `undelivered`); `intentId`
 * is a roll intent to close in the same commit as the outcome.
 */
export async function deliverValue(
  ctx: StepContext,
  rec: RecordedResource,
  value: Secret,
  intentId?: string,
): Promise<void> {
  const ref = sinkRefOf(ctx, rec);
  const sink = ctx.sinks.get(ref.sink);
  const closeIntent: StateChange[] = intentId === undefined ? [] : [{ type: 'remove-intent', id: intentId }];
  try {
    await sink.put(ref, { name: rec.name, id: rec.id, account: rec.account, cf_name: rec.cf_name }, value);
  } catch (e) {
    const undelivered = { ...rec, value_status: 'undelivered' as const };
    // The roll itself finished (the value is known to be minted), so its intent is closed either way.
    if (closeIntent.length > 0)
      await ctx.journal.commit([{ type: 'put-resource', resource: undelivered }, ...closeIntent]);
    ctx.undelivered({ address: ctx.step.address, tokenId: rec.id, sink: ref, sinkDescription: sink.describe(ref) });
    // The sink's own reason (exec stderr, GitHub's answer, the fs error) is what the user must fix; sinks keep it
    // free of the value, and the scrub is a second layer. A SinkError's message already names the sink: take only
    // its reason, so the sink is named once.
    const why = e instanceof SinkError ? e.reason : describeFailure(e);
    throw new CfgitopsError(
      'E_VALUE_UNDELIVERED',
      `the value of token ${addressKey(rec)} (id ${rec.id}) could not be written to sink "${ref.sink}" ` +
        `(${sink.describe(ref)}): ${why}; state records it as undelivered`,
      { cause: e, hint: 'fix the sink, then apply again: the next apply rolls the token and delivers the new value' },
    );
  }
  await ctx.journal.commit([{ type: 'put-resource', resource: { ...rec, value_status: 'delivered' } }, ...closeIntent]);
  ctx.log.info({ tokenId: rec.id, sink: sink.describe(ref) }, 'token value delivered');
  // Deliver, then remove: only once the new value is durable does the old sink give up its value.
  await removeStaleValues(ctx);
}

/**
 * Mints a new value for a recorded token (same id) and delivers it. Journaled like a create: the roll intent and
 * `undelivered` are recorded before the request, so a run that dies after the roll still re-rolls next time.
 */
export async function rollAndDeliver(ctx: StepContext, rec: RecordedResource, resolvesIntent?: string): Promise<void> {
  const ref = sinkRefOf(ctx, rec);
  ctx.sinks.get(ref.sink); // an unknown sink fails before the old value is destroyed
  const intent: Intent = {
    id: ctx.newId(),
    op: 'roll',
    kind: rec.kind,
    account: rec.account,
    name: rec.name,
    cf_name: rec.cf_name,
    started_at: ctx.now(),
    resource_id: rec.id,
    sink: ref,
  };
  // What to put back if Cloudflare refuses the roll: the record as it was, not as this step wanted it.
  const original = ctx.journal.current().resources[addressKey(rec)];
  // The old sink is recorded as stale in this first commit: from here on its value is doomed (the roll invalidates
  // it), and a crash anywhere later still leaves the record that tells the next plan to remove it.
  const rolling = withStaleSinks(
    withPreventDestroy(ctx, { ...rec, sink: ref, value_status: 'undelivered' }),
    staleAfterMove(original, ref),
  );
  await ctx.journal.commit([
    ...(resolvesIntent === undefined ? [] : [{ type: 'remove-intent' as const, id: resolvesIntent }]),
    { type: 'put-intent', intent },
    { type: 'put-resource', resource: rolling },
  ]);
  let value: Secret;
  try {
    value = await ctx.api.rollToken(rec.account, rec.id);
  } catch (e) {
    // Refused outright: the old value still works, so the record goes back to what it was.
    if (certainlyNotApplied(e)) {
      await ctx.journal.commit([
        { type: 'remove-intent', id: intent.id },
        ...(original ? [{ type: 'put-resource' as const, resource: original }] : []),
      ]);
    }
    throw e;
  }
  await deliverValue(ctx, { ...rolling, value_issued_at: ctx.now() }, value, intent.id);
}
