/**
 * A `rotate` step (docs/rotation.md). `roll`: the token's own value is rolled (same id), after a PUT when the token
 * also drifted. `overlap`: blue/green for tokens, journaled so that a crash at any point leaves either the old token
 * alone in force or both recorded, and the next plan finishes what is left (src/planner/plan-rotation.ts):
 *
 *   1. commit  the record names the token in force as `predecessor` (its retired name, generation, rotated_at);
 *   2. PUT     the predecessor renamed to its retired name (names stay unique per account: recovery by name);
 *   3. commit  a create intent for the successor (the token's name) · POST the successor with the same body;
 *   4. commit  the successor's id as the record's id, `undelivered`, the next generation; the intent closed;
 *   5. sink    the successor's value; commit `delivered`;
 *   6. PUT     the predecessor's `expires_on` = min(now + grace, its own expires_on): Cloudflare ends it on time
 *              even if cfgitops never runs again; commit that time as `predecessor.expires_on`.
 *
 * Until step 5 is durable the consumers' sink still holds the predecessor's value, which works (nothing has bounded
 * it); after step 5 both values work until the grace ends. A later plan deletes the predecessor once expired
 * (`delete-predecessor`).
 */
import { isCfgitopsError } from '../errors.js';
import type { PlannedRotation } from '../planner/plan.js';
import type { PredecessorRecord, RecordedResource, StateChange } from '../state/types.js';
import { sendCreate } from './create-resource.js';
import { plannedBody } from './request-bodies.js';
import {
  planBug,
  recordOf,
  requireRecord,
  sinkRefOf,
  targetIdOf,
  withPreventDestroy,
  type StepContext,
} from './step-context.js';
import { deliverValue, rollAndDeliver } from './token-value.js';

export async function rotateToken(ctx: StepContext): Promise<void> {
  const rotation = ctx.step.rotation;
  if (!rotation) throw planBug(ctx, 'rotates without a rotation');
  if (rotation.strategy === 'roll') return rotateByRoll(ctx, rotation);
  return rotateByOverlap(ctx, rotation);
}

async function rotateByRoll(ctx: StepContext, rotation: PlannedRotation): Promise<void> {
  let rec = requireRecord(ctx);
  const id = targetIdOf(ctx, rec);
  if (ctx.step.body !== undefined && ctx.step.diff.length > 0) {
    await ctx.api.updateToken(rec.account, id, tokenRequestBody(ctx));
    rec = withPreventDestroy(ctx, { ...rec, id, cf_name: tokenRequestBody(ctx).name, updated_at: ctx.now() });
    await ctx.journal.commit([{ type: 'put-resource', resource: rec }]);
  }
  const sink = sinkRefOf(ctx, rec);
  await rollAndDeliver(ctx, { ...rec, id, sink, generation: rotation.generation }, ctx.step.resolvesIntent);
}

async function rotateByOverlap(ctx: StepContext, rotation: PlannedRotation): Promise<void> {
  const { step } = ctx;
  const { account } = step.address;
  const sink = sinkRefOf(ctx, recordOf(ctx));
  ctx.sinks.get(sink.sink); // an unknown sink fails before anything is created
  const retired = rotation.retiredName;
  if (retired === undefined || step.targetId === undefined)
    throw planBug(ctx, 'rotates by overlap without a predecessor');
  let rec = requireRecord(ctx);
  let resolves = step.resolvesIntent;

  // 1. The predecessor is recorded before anything is sent.
  if (rec.predecessor === undefined) {
    if (rec.id !== step.targetId) throw stale(ctx, rec);
    const predecessor: PredecessorRecord = {
      id: rec.id,
      cf_name: retired,
      generation: rec.generation ?? 1,
      rotated_at: ctx.now(),
    };
    rec = withPreventDestroy(ctx, { ...rec, sink, predecessor, updated_at: ctx.now() });
    await ctx.journal.commit([{ type: 'put-resource', resource: rec }, ...closing(resolves)]);
    resolves = undefined;
  }
  const pred = rec.predecessor;
  if (pred === undefined || pred.id !== step.targetId) throw stale(ctx, rec);

  if (rec.id === pred.id) {
    // 2. Renamed first: the successor takes the token's name, and two live tokens never share one.
    if (rotation.predecessorBody) {
      await ctx.api.updateToken(account, pred.id, { ...rotation.predecessorBody, name: pred.cf_name });
      ctx.log.info({ id: pred.id }, 'predecessor renamed');
    }
    rec = await createSuccessor(ctx, rec, pred, rotation, resolves);
    resolves = undefined;
  } else if (rec.value_status !== 'delivered') {
    // Resuming: the successor is recorded but its value never reached the sink (or nobody read it).
    await rollAndDeliver(ctx, { ...rec, sink }, resolves);
    resolves = undefined;
  }
  if (resolves !== undefined) await ctx.journal.commit(closing(resolves));
  await boundPredecessor(ctx, pred, rotation);
}

/** Steps 3–5: the successor created (or adopted after a crash) and its value delivered. */
async function createSuccessor(
  ctx: StepContext,
  rec: RecordedResource,
  pred: PredecessorRecord,
  rotation: PlannedRotation,
  resolves: string | undefined,
): Promise<RecordedResource> {
  const { step } = ctx;
  const sink = sinkRefOf(ctx, rec);
  const body = tokenRequestBody(ctx);
  const now = ctx.now();
  const successorFields = {
    cf_name: body.name,
    updated_at: now,
    value_status: 'undelivered' as const,
    value_issued_at: now,
    generation: rotation.generation,
    predecessor: pred,
  };
  if (rotation.successorId !== undefined) {
    // An interrupted run's POST landed, but its value was in a response nobody read: adopt it and roll.
    const adopted = { ...rec, ...successorFields, id: rotation.successorId };
    await ctx.journal.commit([{ type: 'put-resource', resource: adopted }, ...closing(resolves)]);
    ctx.log.info({ id: adopted.id }, 'successor of an interrupted rotation adopted');
    await rollAndDeliver(ctx, adopted);
    return recordOf(ctx) ?? adopted;
  }
  const ctxWithIntent = resolves === undefined ? ctx : { ...ctx, step: { ...step, resolvesIntent: resolves } };
  const sent = await sendCreate(ctxWithIntent, { sink }, () => ctx.api.createToken(step.address.account, body));
  const successor = { ...rec, ...successorFields, id: sent.outcome.resource.id };
  await ctx.journal.commit([
    { type: 'put-resource', resource: successor },
    { type: 'remove-intent', id: sent.intent.id },
  ]);
  ctx.log.info({ id: successor.id, predecessor: pred.id }, 'successor created');
  const value = sent.outcome.value;
  if (value === undefined) {
    ctx.log.warn({ tokenId: successor.id }, 'successor create recovered by name; rolling for a fresh value');
    await rollAndDeliver(ctx, successor);
  } else {
    await deliverValue(ctx, successor, value);
  }
  return recordOf(ctx) ?? successor;
}

/** Step 6: only now may the predecessor's value stop working — and Cloudflare, not cfgitops, ends it. */
async function boundPredecessor(ctx: StepContext, pred: PredecessorRecord, rotation: PlannedRotation): Promise<void> {
  if (pred.expires_on !== undefined) return;
  const { account } = ctx.step.address;
  const graceMs = (rotation.graceSeconds ?? 86_400) * 1000;
  const own = rotation.predecessorBody?.expires_on;
  // Never later than now + grace, never later than it would have expired anyway, and never extended by a rerun
  // (a crash after this PUT and before its commit bounds again from a later now: the earlier one stays).
  const candidates = [Date.parse(ctx.now()) + graceMs, ...(own !== undefined ? [Date.parse(own)] : [])];
  const expiresOn = new Date(Math.min(...candidates)).toISOString().replace(/\.\d{3}Z$/, 'Z');
  let gone = false;
  if (rotation.predecessorBody) {
    try {
      await ctx.api.updateToken(account, pred.id, {
        ...rotation.predecessorBody,
        name: pred.cf_name,
        expires_on: expiresOn,
      });
    } catch (e) {
      if (!(isCfgitopsError(e) && e.code === 'E_API_NOT_FOUND')) throw e;
      gone = true;
    }
  } else {
    gone = true;
  }
  const current = recordOf(ctx);
  if (!current) return;
  const { predecessor: _old, ...rest } = current;
  const next: RecordedResource = gone ? rest : { ...rest, predecessor: { ...pred, expires_on: expiresOn } };
  await ctx.journal.commit([{ type: 'put-resource', resource: next }]);
  ctx.log.info({ id: pred.id, expiresOn, gone }, 'predecessor bounded');
}

/** `delete-predecessor`: the expired predecessor deleted, and forgotten. */
export async function deletePredecessor(ctx: StepContext): Promise<void> {
  const id = ctx.step.targetId;
  if (id === undefined) throw planBug(ctx, 'deletes a predecessor without its id');
  try {
    await ctx.api.deleteToken(ctx.step.address.account, id);
  } catch (e) {
    if (!(isCfgitopsError(e) && e.code === 'E_API_NOT_FOUND')) throw e;
  }
  const rec = recordOf(ctx);
  if (rec?.predecessor?.id !== id) return;
  const { predecessor: _gone, ...rest } = rec;
  await ctx.journal.commit([{ type: 'put-resource', resource: rest }]);
  ctx.log.info({ id }, 'predecessor deleted');
}

const tokenRequestBody = (ctx: StepContext) => plannedBody(ctx, 'AccountToken').body;

function closing(intentId: string | undefined): StateChange[] {
  return intentId === undefined ? [] : [{ type: 'remove-intent', id: intentId }];
}

function stale(ctx: StepContext, rec: RecordedResource) {
  return planBug(
    ctx,
    `names predecessor ${ctx.step.targetId ?? '?'}, but state records ${rec.id}${rec.predecessor ? ` with predecessor ${rec.predecessor.id}` : ''}`,
  );
}
