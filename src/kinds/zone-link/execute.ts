/**
 * Executing zone transfer link steps. A create is a POST (intent first, like every create) and, for outgoing, the
 * enable or disable call: the record is written `complete: false` between them, so a crash there is finished by
 * the next plan's update. Peers this same run created are named by the ids state now records for them.
 */
import type { CfZoneTransferBody, TransferDirection } from '../../cloudflare/types.js';
import { CfgitopsError } from '../../errors.js';
import { recordCreated, sendCreate } from '../../executor/create-resource.js';
import { planBug, type StepContext } from '../../executor/step-context.js';
import type { PlannedZoneLinkBody } from '../../planner/plan.js';

function linkBody(ctx: StepContext): PlannedZoneLinkBody {
  const body = ctx.step.body;
  if (body?.kind !== 'SecondaryDnsIncoming' && body?.kind !== 'SecondaryDnsOutgoing') {
    throw planBug(ctx, 'has no zone link body');
  }
  return body;
}

function requestBody(ctx: StepContext, body: PlannedZoneLinkBody): CfZoneTransferBody {
  const peers = body.peers.map((p) => {
    if ('id' in p) return p.id;
    const peer = ctx.journal.current().resources[p.ref];
    if (!peer) {
      throw new CfgitopsError('E_STATE_NOT_FOUND', `${ctx.key} names peer ${p.ref}, which is not recorded in state`, {
        hint: 'the peer step did not run or failed: fix it, then apply again',
        location: ctx.step.source,
      });
    }
    return peer.id;
  });
  const out: CfZoneTransferBody = { name: body.name, peers };
  if (body.auto_refresh_seconds !== undefined) out.auto_refresh_seconds = body.auto_refresh_seconds;
  return out;
}

export function zoneLinkExecutor(dir: TransferDirection) {
  return {
    create: async (ctx: StepContext): Promise<void> => {
      const body = linkBody(ctx);
      const request = requestBody(ctx, body);
      const zone = body.zone_id;
      const created = await sendCreate(ctx, { zone_id: zone }, () => ctx.api.createZoneTransfer(zone, dir, request));
      if (body.enabled === undefined) {
        await recordCreated(ctx, created, { id: created.outcome.resource.id });
        return;
      }
      const rec = await recordCreated(ctx, created, { id: created.outcome.resource.id, complete: false });
      await ctx.api.setOutgoingEnabled(zone, body.enabled);
      await ctx.journal.commit([{ type: 'put-resource', resource: { ...rec, complete: true, updated_at: ctx.now() } }]);
    },
    update: async (ctx: StepContext, id: string): Promise<void> => {
      const body = linkBody(ctx);
      await ctx.api.updateZoneTransfer(id, dir, requestBody(ctx, body));
      if (body.enabled !== undefined) await ctx.api.setOutgoingEnabled(id, body.enabled);
    },
    delete: async (ctx: StepContext, id: string): Promise<void> => {
      await ctx.api.deleteZoneTransfer(id, dir);
    },
  };
}
