/** Executing ACL steps: one POST (intent first), a full PUT, a DELETE. */
import type { CfAclBody } from '../../cloudflare/types.js';
import { recordCreated, sendCreate } from '../../executor/create-resource.js';
import { plannedBody } from '../../executor/request-bodies.js';
import type { StepContext } from '../../executor/step-context.js';

function aclRequestBody(ctx: StepContext): CfAclBody {
  const body = plannedBody(ctx, 'SecondaryDnsAcl');
  return { name: body.name, ip_range: body.ip_range };
}

export async function createAcl(ctx: StepContext): Promise<void> {
  const body = aclRequestBody(ctx);
  const created = await sendCreate(ctx, {}, () => ctx.api.createAcl(ctx.step.address.account, body));
  await recordCreated(ctx, created, { id: created.outcome.resource.id });
}

export async function updateAcl(ctx: StepContext, id: string): Promise<void> {
  await ctx.api.updateAcl(ctx.step.address.account, id, aclRequestBody(ctx));
}

export async function deleteAcl(ctx: StepContext, id: string): Promise<void> {
  await ctx.api.deleteAcl(ctx.step.address.account, id);
}
