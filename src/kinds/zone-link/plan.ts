/**
 * Planning a zone transfer link (pure): each peer named by manifest name becomes its id when known at plan time,
 * or a reference to the peer this same plan creates (resolved from state by the executor, as a peer's TSIG is).
 */
import type { CfZoneTransfer } from '../../cloudflare/types.js';
import { CfgitopsError } from '../../errors.js';
import type { DesiredIncoming, DesiredOutgoing } from '../../manifest/types.js';
import type { PlannedPeerRef, PlannedZoneLinkBody } from '../../planner/plan.js';
import type { PlanContext } from '../../planner/plan-context.js';
import type { PlanOutput } from '../../planner/plan-output.js';
import type { PlanStep } from '../../planner/plan.js';
import { addressKey } from '../../resources.js';
import type { RecordedResource } from '../../state/types.js';
import type { Adapter } from '../kind.js';
import { compareZoneLink, zoneLinkCreationDiff } from './compare.js';
import { HEX32 } from './schema-parts.js';

export function zoneLinkAdapter(
  ctx: PlanContext,
  d: DesiredIncoming | DesiredOutgoing,
  out: PlanOutput,
): Adapter | undefined {
  const peers: PlannedPeerRef[] = [];
  const refs: string[] = [];
  let broken = false;
  d.spec.peers.forEach((entry, i) => {
    if (HEX32.test(entry)) {
      peers.push({ id: entry });
      return;
    }
    const key = addressKey({ kind: 'SecondaryDnsPeer', account: d.address.account, name: entry });
    if (!ctx.desiredByKey.has(key)) {
      broken = true;
      out.errors.push(
        new CfgitopsError('E_UNRESOLVED_REFERENCE', `no SecondaryDnsPeer named "${entry}" in this account`, {
          location: d.locate(`/spec/peers/${i}`),
          hint: 'declare the peer, or give the 32-hex id of one cfgitops does not manage',
        }),
      );
      return;
    }
    refs.push(key);
    const id = out.peerIds.get(key);
    peers.push(id !== undefined ? { id } : { ref: key });
  });
  if (broken || !zoneTypeFits(ctx, d, out)) return undefined;
  out.linkPeers.set(addressKey(d.address), refs);
  const body: PlannedZoneLinkBody = { kind: d.kind, zone_id: d.spec.zone, name: d.spec.name, peers };
  if ('auto_refresh_seconds' in d.spec && d.spec.auto_refresh_seconds !== undefined) {
    body.auto_refresh_seconds = d.spec.auto_refresh_seconds;
  }
  if ('enabled' in d.spec && d.spec.enabled !== undefined) body.enabled = d.spec.enabled;
  return {
    body,
    compare: (live) => compareZoneLink(body, live as CfZoneTransfer),
    creation: () => zoneLinkCreationDiff(body),
  };
}

/**
 * A link to create must suit its zone: Cloudflare is the secondary of a `secondary` zone only (incoming), and cannot
 * be the primary of one (outgoing). The zone's type is known when the observer read it (the link was absent); when
 * it is not (no "Zone Read"), Cloudflare's own refusal at apply time says so.
 */
function zoneTypeFits(ctx: PlanContext, d: DesiredIncoming | DesiredOutgoing, out: PlanOutput): boolean {
  const { account } = d.address;
  if (ctx.liveById(d.kind, account, d.spec.zone) !== undefined) return true;
  const type = ctx.input.live.accounts[account]?.zoneDetails?.[d.spec.zone]?.type;
  if (type === undefined) return true;
  const incoming = d.kind === 'SecondaryDnsIncoming';
  if (incoming ? type === 'secondary' : type !== 'secondary') return true;
  out.errors.push(
    new CfgitopsError(
      'E_ZONE_TYPE',
      incoming
        ? `zone ${d.spec.name} is a ${type} zone: Cloudflare can transfer in (be the secondary of) only a zone of type secondary`
        : `zone ${d.spec.name} is a secondary zone: Cloudflare transfers it in from its primaries and cannot also serve it as primary`,
      {
        location: d.locate('/spec/zone'),
        hint: incoming
          ? 'use a SecondaryDnsOutgoing link for a zone Cloudflare hosts (full), or name the secondary zone'
          : 'use a SecondaryDnsIncoming link for a secondary zone, or name a zone Cloudflare hosts (full)',
      },
    ),
  );
  return false;
}

/** An outgoing link whose POST landed and whose enable/disable did not is finished by an update. */
export function zoneLinkUnfinished(rec: RecordedResource): string | undefined {
  return rec.complete === false ? 'finish create: enable or disable transfers after the POST' : undefined;
}

/** A peer publishes its id to the links planned after it: known unless this plan creates it anew. */
export function peerPlanned(address: string, step: PlanStep, out: PlanOutput): void {
  const knownId = step.action === 'create' || step.action === 'replace' ? undefined : step.targetId;
  out.peerIds.set(address, knownId);
}
