/**
 * Executing token steps: the create's value goes to the sink (a create recovered by name lost its value, so it
 * is rolled), a full PUT, a DELETE. Values are delivered by executor/token-value.ts.
 */
import type { CfTokenBody } from '../../cloudflare/types.js';
import { recordCreated, sendCreate } from '../../executor/create-resource.js';
import { plannedBody } from '../../executor/request-bodies.js';
import { sinkRefOf, type StepContext } from '../../executor/step-context.js';
import { deliverValue, rollAndDeliver } from '../../executor/token-value.js';

function tokenRequestBody(ctx: StepContext): CfTokenBody {
  return plannedBody(ctx, 'AccountToken').body;
}

/**
 * The create takes no status (docs/cloudflare-api.md), so a token declared `disabled` is a POST then a status PUT,
 * journaled like a peer's: `complete: false` between the two, which the next plan finishes (update, and a roll, as
 * the value died with the run). The value reaches its sink only once the token is as declared: a token meant to be
 * parked is never handed out live.
 */
export async function createToken(ctx: StepContext): Promise<void> {
  const body = tokenRequestBody(ctx);
  const sink = sinkRefOf(ctx);
  ctx.sinks.get(sink.sink); // an unknown sink fails before a value is minted
  const disabled = body.status === 'disabled';
  const created = await sendCreate(ctx, { sink }, () => ctx.api.createToken(ctx.step.address.account, body));
  // A re-create whose sink moved (or a replace) names the former sinks of the old value: recorded with the new
  // token, so they are cleared once its value is delivered (deliverValue), or by the next plan after a crash.
  const stale = ctx.step.removeOldValues ?? [];
  let rec = await recordCreated(ctx, created, {
    id: created.outcome.resource.id,
    sink,
    value_status: 'undelivered',
    value_issued_at: ctx.now(),
    ...(stale.length > 0 ? { stale_sinks: [...stale] } : {}),
    ...(disabled ? { complete: false } : {}),
  });
  if (disabled) {
    await ctx.api.updateToken(rec.account, rec.id, body);
    const { complete: _unfinished, ...done } = rec;
    rec = { ...done, updated_at: ctx.now() };
    // Not committed on its own: the delivery's commit records it. A failed delivery leaves `complete: false`, and
    // the next plan's update re-sends the (idempotent) PUT before its roll.
  }
  const value = created.outcome.value;
  if (value === undefined) {
    // Found by name after an ambiguous failure: the value went to a response nobody read. Mint a new one.
    ctx.log.warn({ tokenId: rec.id }, 'token create recovered by name; rolling for a fresh value');
    await rollAndDeliver(ctx, rec);
    return;
  }
  await deliverValue(ctx, rec, value);
}

export async function updateToken(ctx: StepContext, id: string): Promise<void> {
  await ctx.api.updateToken(ctx.step.address.account, id, tokenRequestBody(ctx));
}

export async function deleteToken(ctx: StepContext, id: string): Promise<void> {
  await ctx.api.deleteToken(ctx.step.address.account, id);
}
