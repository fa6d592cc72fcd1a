/**
 * Planning a peer (pure): its `tsig` names a managed TSIG, whose id is known at plan time unless this same plan
 * creates it (then `tsig_ref`, resolved by the executor from state). A peer whose POST landed and whose PUT did not
 * is finished by an update.
 */
import type { CfPeer } from '../../cloudflare/types.js';
import { CfgitopsError } from '../../errors.js';
import type { DesiredPeer } from '../../manifest/types.js';
import type { PlannedPeerBody } from '../../planner/plan.js';
import type { PlanContext } from '../../planner/plan-context.js';
import type { PlanOutput } from '../../planner/plan-output.js';
import { addressKey } from '../../resources.js';
import type { RecordedResource } from '../../state/types.js';
import type { Adapter } from '../kind.js';
import { comparePeer, DEFAULT_PEER_PORT, peerCreationDiff } from './compare.js';

export function peerAdapter(ctx: PlanContext, d: DesiredPeer, out: PlanOutput): Adapter | undefined {
  const { spec } = d;
  const body: PlannedPeerBody = {
    kind: 'SecondaryDnsPeer',
    name: spec.name,
    ...(spec.ip !== undefined ? { ip: spec.ip } : {}),
    port: spec.port ?? DEFAULT_PEER_PORT,
    ixfr_enable: spec.ixfr_enable ?? false,
  };
  if (spec.tsig !== undefined) {
    const tsigKey = addressKey({ kind: 'SecondaryDnsTsig', account: d.address.account, name: spec.tsig });
    if (!ctx.desiredByKey.has(tsigKey)) {
      out.errors.push(
        new CfgitopsError('E_UNRESOLVED_REFERENCE', `no SecondaryDnsTsig named "${spec.tsig}" in this account`, {
          location: d.locate('/spec/tsig'),
          hint: 'declare the TSIG key, or use tsig_id for one cfgitops does not manage',
        }),
      );
      return undefined;
    }
    out.peerTsig.set(addressKey(d.address), tsigKey);
    const id = out.tsigIds.get(tsigKey);
    if (id !== undefined) body.tsig_id = id;
    else body.tsig_ref = tsigKey;
  } else if (spec.tsig_id !== undefined) {
    body.tsig_id = spec.tsig_id;
  }
  return {
    body,
    compare: (live) => comparePeer(body, live as CfPeer),
    creation: () => peerCreationDiff(body),
  };
}

export function peerUnfinished(rec: RecordedResource): string | undefined {
  return rec.complete === false ? 'finish create: PUT after POST' : undefined;
}
