/**
 * Creates: every POST is preceded by a durable intent (kind, account, name, Cloudflare name) and followed by one
 * commit that records the new id and closes the intent, so a crash at any point leaves either an intent the next
 * plan resolves by name, or a recorded id — never an unknown live resource.
 */
import type { CreateOutcome } from '../cloudflare/types.js';
import type { Intent, RecordedResource, StateChange } from '../state/types.js';
import { cfNameOf, peerRequestBody, tokenRequestBody, tsigRequestBody } from './request-bodies.js';
import { certainlyNotApplied, sinkRefOf, withPreventDestroy, type StepContext } from './step-context.js';
import { deliverValue, rollAndDeliver } from './token-value.js';

export async function createResource(ctx: StepContext): Promise<void> {
  switch (ctx.step.address.kind) {
    case 'SecondaryDnsTsig':
      return createTsig(ctx);
    case 'SecondaryDnsPeer':
      return createPeer(ctx);
    case 'AccountToken':
      return createToken(ctx);
  }
}

async function createTsig(ctx: StepContext): Promise<void> {
  const body = tsigRequestBody(ctx);
  const created = await sendCreate(ctx, {}, () => ctx.api.createTsig(ctx.step.address.account, body));
  await recordCreated(ctx, created, { id: created.outcome.resource.id });
}

/** docs/cloudflare-api.md: the POST takes only `{name}`; everything else is a following PUT. */
async function createPeer(ctx: StepContext): Promise<void> {
  const body = peerRequestBody(ctx); // resolves tsig_ref before anything is created
  const created = await sendCreate(ctx, {}, () => ctx.api.createPeer(ctx.step.address.account, body.name));
  const rec = await recordCreated(ctx, created, { id: created.outcome.resource.id, complete: false });
  await ctx.api.updatePeer(rec.account, rec.id, body);
  await ctx.journal.commit([{ type: 'put-resource', resource: { ...rec, complete: true, updated_at: ctx.now() } }]);
}

async function createToken(ctx: StepContext): Promise<void> {
  const body = tokenRequestBody(ctx);
  const sink = sinkRefOf(ctx);
  ctx.sinks.get(sink.sink); // an unknown sink fails before a value is minted
  const created = await sendCreate(ctx, { sink }, () => ctx.api.createToken(ctx.step.address.account, body));
  const rec = await recordCreated(ctx, created, {
    id: created.outcome.resource.id,
    sink,
    value_status: 'undelivered',
    value_issued_at: ctx.now(),
  });
  const value = created.outcome.value;
  if (value === undefined) {
    // Found by name after an ambiguous failure: the value went to a response nobody read. Mint a new one.
    ctx.log.warn({ tokenId: rec.id }, 'token create recovered by name; rolling for a fresh value');
    await rollAndDeliver(ctx, rec);
    return;
  }
  await deliverValue(ctx, rec, value);
}

interface Sent<O> {
  outcome: O;
  intent: Intent;
}

async function sendCreate<O extends CreateOutcome<unknown>>(
  ctx: StepContext,
  extra: Pick<Intent, 'sink'>,
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

async function recordCreated(
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
