/** Executing TSIG steps: one POST (intent first), a full PUT, a DELETE. The secret comes from the resolved manifests. */
import type { CfTsigBody } from '../../cloudflare/types.js';
import { recordCreated, sendCreate } from '../../executor/create-resource.js';
import { plannedBody } from '../../executor/request-bodies.js';
import { planBug, type StepContext } from '../../executor/step-context.js';

function tsigRequestBody(ctx: StepContext): CfTsigBody {
  const body = plannedBody(ctx, 'SecondaryDnsTsig');
  const secret = ctx.tsigSecrets.get(ctx.key);
  if (!secret) throw planBug(ctx, 'has no resolved TSIG secret (the manifests were not resolved for this apply)');
  return { name: body.name, algo: body.algo, secret };
}

export async function createTsig(ctx: StepContext): Promise<void> {
  const body = tsigRequestBody(ctx);
  const created = await sendCreate(ctx, {}, () => ctx.api.createTsig(ctx.step.address.account, body));
  await recordCreated(ctx, created, { id: created.outcome.resource.id });
}

export async function updateTsig(ctx: StepContext, id: string): Promise<void> {
  await ctx.api.updateTsig(ctx.step.address.account, id, tsigRequestBody(ctx));
}

export async function deleteTsig(ctx: StepContext, id: string): Promise<void> {
  await ctx.api.deleteTsig(ctx.step.address.account, id);
}
