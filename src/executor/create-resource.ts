/**
 * The create protocol every kind's create follows (src/kinds/<kind>/execute.ts): every POST is preceded by a
 * durable intent (kind, account, name, Cloudflare name) and followed by one commit that records the new id and
 * closes the intent, so a crash at any point leaves either an intent the next plan resolves by name, or a recorded
 * id — never an unknown live resource.
 */
import type { CreateOutcome } from '../cloudflare/types.js';
import type { Intent, RecordedResource, StateChange } from '../state/types.js';
import { cfNameOf } from './request-bodies.js';
import { certainlyNotApplied, withPreventDestroy, type StepContext } from './step-context.js';

export interface Sent<O> {
  outcome: O;
  intent: Intent;
}

export async function sendCreate<O extends CreateOutcome<unknown>>(
  ctx: StepContext,
  extra: Pick<Intent, 'sink' | 'zone_id'>,
  send: () => Promise<O>,
): Promise<Sent<O>> {
  const { step } = ctx;
  const intent: Intent = {
    id: ctx.newId(),
    op: 'create',
    kind: step.address.kind,
    account: step.address.account,
    name: step.address.name,
    cf_name: cfNameOf(ctx),
    started_at: ctx.now(),
    ...extra,
  };
  const changes: StateChange[] = [{ type: 'put-intent', intent }];
  // A crashed run's intent that this create supersedes is swapped for the new one in the same commit.
  if (step.resolvesIntent !== undefined) changes.unshift({ type: 'remove-intent', id: step.resolvesIntent });
  await ctx.journal.commit(changes);
  try {
    const outcome = await send();
    if (outcome.recovered) ctx.log.warn('create recovered by name after an ambiguous failure');
    return { outcome, intent };
  } catch (e) {
    if (certainlyNotApplied(e)) await ctx.journal.commit([{ type: 'remove-intent', id: intent.id }]);
    throw e;
  }
}

export async function recordCreated(
  ctx: StepContext,
  sent: Sent<unknown>,
  fields: Pick<RecordedResource, 'id'> & Partial<RecordedResource>,
): Promise<RecordedResource> {
  const now = ctx.now();
  const { address } = ctx.step;
  const rec = withPreventDestroy(ctx, {
    kind: address.kind,
    account: address.account,
    name: address.name,
    cf_name: sent.intent.cf_name,
    created_at: now,
    updated_at: now,
    origin: 'created',
    ...fields,
  });
  await ctx.journal.commit([
    { type: 'put-resource', resource: rec },
    { type: 'remove-intent', id: sent.intent.id },
  ]);
  ctx.log.info({ id: rec.id }, 'created');
  return rec;
}
