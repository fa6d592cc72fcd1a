/**
 * Executing peer steps. docs/cloudflare-api.md: the POST takes only `{name}`; everything else is a following PUT,
 * so a create is two calls with the record written `complete: false` between them (the next plan finishes it).
 */
import type { CfPeerBody } from '../../cloudflare/types.js';
import { CfgitopsError } from '../../errors.js';
import { recordCreated, sendCreate } from '../../executor/create-resource.js';
import { plannedBody } from '../../executor/request-bodies.js';
import type { StepContext } from '../../executor/step-context.js';

/** The planned body with a `tsig_ref` turned into the id the TSIG step of this same run has just recorded. */
function peerRequestBody(ctx: StepContext): CfPeerBody {
  const body = plannedBody(ctx, 'SecondaryDnsPeer');
  const out: CfPeerBody = { name: body.name, port: body.port, ixfr_enable: body.ixfr_enable };
  if (body.ip !== undefined) out.ip = body.ip;
  if (body.tsig_id !== undefined) {
    out.tsig_id = body.tsig_id;
  } else if (body.tsig_ref !== undefined) {
    const tsig = ctx.journal.current().resources[body.tsig_ref];
    if (!tsig) {
      throw new CfgitopsError(
        'E_STATE_NOT_FOUND',
        `${ctx.key} uses TSIG ${body.tsig_ref}, which is not recorded in state`,
        { hint: 'the TSIG step did not run or failed: fix it, then apply again', location: ctx.step.source },
      );
    }
    out.tsig_id = tsig.id;
  }
  return out;
}

export async function createPeer(ctx: StepContext): Promise<void> {
  const body = peerRequestBody(ctx); // resolves tsig_ref before anything is created
  const created = await sendCreate(ctx, {}, () => ctx.api.createPeer(ctx.step.address.account, body.name));
  const rec = await recordCreated(ctx, created, { id: created.outcome.resource.id, complete: false });
  await ctx.api.updatePeer(rec.account, rec.id, body);
  await ctx.journal.commit([{ type: 'put-resource', resource: { ...rec, complete: true, updated_at: ctx.now() } }]);
}

export async function updatePeer(ctx: StepContext, id: string): Promise<void> {
  await ctx.api.updatePeer(ctx.step.address.account, id, peerRequestBody(ctx));
}

export async function deletePeer(ctx: StepContext, id: string): Promise<void> {
  await ctx.api.deletePeer(ctx.step.address.account, id);
}
