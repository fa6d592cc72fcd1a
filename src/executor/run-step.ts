/**
 * One plan step, carried out and journaled. The API calls of each kind are its own (src/kinds/<kind>/execute.ts,
 * reached through the registry); the intent protocol of creates is in create-resource.ts, token values in
 * token-value.ts. This file dispatches and journals the actions (update, adopt, delete, forget, roll, no-op).
 */
import { isCfgitopsError } from '../errors.js';
import type { RecordedResource, StateChange } from '../state/types.js';
import { kindOf } from '../kinds/registry.js';
import { cfNameOf } from './request-bodies.js';
import {
  planBug,
  recordOf,
  requireRecord,
  sinkRefOf,
  targetIdOf,
  withPreventDestroy,
  type StepContext,
} from './step-context.js';
import { deletePredecessor, rotateToken } from './rotate-token.js';
import { removeStaleValues } from './stale-sinks.js';
import { rollAndDeliver } from './token-value.js';

export async function runStep(ctx: StepContext): Promise<void> {
  switch (ctx.step.action) {
    case 'no-op':
    case 'held':
      // A held step waits for a person (planner/held-steps.ts): nothing is sent, only the annotations recorded.
      return syncAnnotations(ctx);
    case 'create':
      return kindOf(ctx.step.address.kind).create(ctx);
    case 'update':
      return updateResource(ctx);
    case 'adopt':
      return adoptResource(ctx);
    case 'delete':
      return deleteResource(ctx);
    case 'replace':
    case 'replace-exposed':
      // Delete first: two live resources must never share a name, since names are how crashes are recovered.
      await deleteResource(ctx);
      return kindOf(ctx.step.address.kind).create(ctx);
    case 'roll-secret':
      return rollSecret(ctx);
    case 'rotate':
      return rotateToken(ctx);
    case 'delete-predecessor':
      return deletePredecessor(ctx);
    case 'forget':
      return forgetResource(ctx);
    case 'remove-old-value':
      // The new value was delivered by an earlier run that died before the removal (docs/token-lifecycle.md).
      return removeStaleValues(ctx);
  }
}

/** PUT the full body (PUT is a full replacement: docs/cloudflare-api.md), then record it; roll too when the plan says so. */
async function updateResource(ctx: StepContext): Promise<void> {
  const rec = requireRecord(ctx);
  const id = targetIdOf(ctx, rec);
  const kind = kindOf(ctx.step.address.kind);
  await kind.update(ctx, id);
  // A PUT carries the full body, so it also finishes a create whose second call (a peer's PUT, a disabled token's
  // status PUT) never ran: `complete: false` is dropped, and a kind that records completion sets it again.
  const { complete: _unfinished, ...done } = rec;
  const updated = withPreventDestroy(ctx, {
    ...done,
    id,
    cf_name: cfNameOf(ctx),
    updated_at: ctx.now(),
    ...kind.updatedFields,
  });
  await ctx.journal.commit([{ type: 'put-resource', resource: updated }, ...closeIntent(ctx)]);
  ctx.log.info({ id }, 'updated');
  if (ctx.step.rollValue && kind.hasValue) await rollAndDeliver(ctx, updated);
  // A roll removes them after its delivery; without one, the old values a past run left are removed now.
  else if (ctx.step.removeOldValues !== undefined) await removeStaleValues(ctx);
}

/**
 * Takes an unmanaged live resource under management (also how a crashed create is resolved). A token's value is
 * unknown until it is rolled, hence `undelivered` — or, when the plan keeps it (tokens.onAdopt: keep), `external`.
 */
async function adoptResource(ctx: StepContext): Promise<void> {
  const { step } = ctx;
  const id = step.targetId;
  if (id === undefined) throw planBug(ctx, 'adopts without a live id');
  const now = ctx.now();
  const kind = kindOf(step.address.kind);
  const rec: RecordedResource = withPreventDestroy(ctx, {
    kind: step.address.kind,
    account: step.address.account,
    name: step.address.name,
    id,
    cf_name: step.cfName,
    created_at: now,
    updated_at: now,
    origin: 'adopted',
    ...kind.adoptedFields?.(ctx),
  });
  await ctx.journal.commit([{ type: 'put-resource', resource: rec }, ...closeIntent(ctx)]);
  ctx.log.info({ id }, 'adopted');
  if (step.diff.length > 0) {
    const { resolvesIntent: _closed, ...rest } = step;
    await updateResource({ ...ctx, step: { ...rest, rollValue: false } });
  }
  if (step.rollValue && kind.hasValue) {
    const current = recordOf(ctx);
    if (current) await rollAndDeliver(ctx, current);
  }
}

async function deleteResource(ctx: StepContext): Promise<void> {
  const rec = recordOf(ctx);
  const id = targetIdOf(ctx, rec);
  try {
    await kindOf(ctx.step.address.kind).delete(ctx, id);
  } catch (e) {
    // Already gone (deleted out of band, or by a run that died before recording it): the goal is reached.
    if (!(isCfgitopsError(e) && e.code === 'E_API_NOT_FOUND')) throw e;
    ctx.log.info({ id }, 'already deleted');
  }
  const changes: StateChange[] = [];
  if (rec) changes.push({ type: 'remove-resource', key: ctx.key });
  // On replace the create that follows closes the intent.
  if (ctx.step.action === 'delete') changes.push(...closeIntent(ctx));
  if (changes.length > 0) await ctx.journal.commit(changes);
  ctx.log.info({ id }, 'deleted');
}

async function rollSecret(ctx: StepContext): Promise<void> {
  const rec = requireRecord(ctx);
  await rollAndDeliver(ctx, { ...rec, id: targetIdOf(ctx, rec), sink: sinkRefOf(ctx, rec) }, ctx.step.resolvesIntent);
}

async function forgetResource(ctx: StepContext): Promise<void> {
  const changes: StateChange[] = closeIntent(ctx);
  if (recordOf(ctx)) changes.push({ type: 'remove-resource', key: ctx.key });
  if (changes.length > 0) await ctx.journal.commit(changes);
}

/**
 * Nothing to send; but a prevent-destroy annotation added or removed since the last apply is recorded, and a
 * stale intent the planner found resolved is closed.
 */
async function syncAnnotations(ctx: StepContext): Promise<void> {
  const rec = recordOf(ctx);
  const changes: StateChange[] = closeIntent(ctx);
  if (rec) {
    const synced = withPreventDestroy(ctx, rec);
    if (synced.prevent_destroy !== rec.prevent_destroy) changes.push({ type: 'put-resource', resource: synced });
  }
  if (changes.length > 0) await ctx.journal.commit(changes);
}

function closeIntent(ctx: StepContext): StateChange[] {
  const id = ctx.step.resolvesIntent;
  return id === undefined ? [] : [{ type: 'remove-intent', id }];
}
