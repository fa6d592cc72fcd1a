/**
 * Zone transfer links against the peers and TSIG keys they use. Order: a link waits for the peers this plan
 * creates; a peer's delete waits for the link steps that release it. Guard: a peer (or the TSIG of a peer) that a
 * live zone link — managed or not — still uses after this plan is never deleted: Cloudflare would leave the zone
 * without its primary or secondary. The plan refuses it, naming the zone, so the fix (unlink first) is obvious.
 */
import type { CfZoneTransfer } from '../cloudflare/types.js';
import { CfgitopsError } from '../errors.js';
import { displayAddress } from '../resources.js';
import type { PlanStep } from './plan.js';
import type { PlanContext } from './plan-context.js';
import type { PlanOutput } from './plan-output.js';

const PROVIDERS = new Set(['create', 'adopt', 'replace']);
const LINK_KINDS = new Set(['SecondaryDnsIncoming', 'SecondaryDnsOutgoing']);

interface LiveLink {
  link: CfZoneTransfer;
  kind: 'SecondaryDnsIncoming' | 'SecondaryDnsOutgoing';
  /** The plan's step for this link, if any. */
  step: PlanStep | undefined;
  /** Peer ids it uses once this plan is applied. */
  after: Set<string>;
}

export function guardZoneLinks(ctx: PlanContext, out: PlanOutput): void {
  for (const [linkKey, peerKeys] of out.linkPeers) {
    const linkStep = out.steps.get(linkKey);
    if (!linkStep || linkStep.action === 'no-op') continue;
    for (const peerKey of peerKeys) {
      const peerStep = out.steps.get(peerKey);
      if (peerStep && PROVIDERS.has(peerStep.action)) linkStep.dependsOn.push(peerStep.id);
    }
  }
  const links = liveLinks(ctx, out);
  if (links.length === 0) return;
  for (const s of out.steps.values()) {
    if (s.action !== 'delete' || s.targetId === undefined) continue;
    if (s.address.kind === 'SecondaryDnsPeer') guardPeerDelete(ctx, out, s, links);
    if (s.address.kind === 'SecondaryDnsTsig') guardTsigDelete(ctx, out, s, links);
  }
}

function liveLinks(ctx: PlanContext, out: PlanOutput): LiveLink[] {
  const byZone = new Map<string, PlanStep>();
  for (const s of out.steps.values()) {
    if (!LINK_KINDS.has(s.address.kind)) continue;
    const zone = s.body && 'zone_id' in s.body ? s.body.zone_id : s.targetId;
    if (zone !== undefined) byZone.set(`${s.address.kind}/${zone}`, s);
  }
  const found: LiveLink[] = [];
  for (const account of Object.values(ctx.input.live.accounts ?? {})) {
    for (const [kind, list] of [
      ['SecondaryDnsIncoming', account.incoming ?? []],
      ['SecondaryDnsOutgoing', account.outgoing ?? []],
    ] as const) {
      for (const link of list) {
        const step = byZone.get(`${kind}/${link.zone_id}`);
        found.push({ link, kind, step, after: peersAfter(link, step) });
      }
    }
  }
  return found;
}

function peersAfter(link: CfZoneTransfer, step: PlanStep | undefined): Set<string> {
  if (!step || step.action === 'no-op' || step.action === 'forget') return new Set(link.peers);
  if (step.action === 'delete') return new Set();
  const body = step.body;
  if (!body || !('zone_id' in body)) return new Set(link.peers);
  return new Set(body.peers.flatMap((p) => ('id' in p ? [p.id] : [])));
}

function zoneText(ctx: PlanContext, l: LiveLink): string {
  const alias = Object.entries(ctx.input.config.zones ?? {}).find(([, id]) => id === l.link.zone_id)?.[0];
  return `zone ${alias ?? l.link.name} (${l.link.zone_id}, ${l.kind})`;
}

function guardPeerDelete(ctx: PlanContext, out: PlanOutput, s: PlanStep, links: readonly LiveLink[]): void {
  const id = s.targetId!;
  for (const l of links) {
    if (!l.link.peers.includes(id)) continue;
    if (!l.after.has(id)) {
      // Released by this plan: unlink first.
      if (l.step) s.dependsOn.push(l.step.id);
      continue;
    }
    out.errors.push(
      new CfgitopsError(
        'E_ZONE_LINK_IN_USE',
        `${displayAddress(s.address, ctx.input.config.accounts)} (peer ${id}) cannot be deleted: ${zoneText(ctx, l)} still uses it`,
        {
          ...(s.source ? { location: s.source } : {}),
          hint: "remove the peer from that zone's peers (or delete the zone link) first, then delete the peer",
        },
      ),
    );
  }
  s.dependsOn.sort();
}

function guardTsigDelete(ctx: PlanContext, out: PlanOutput, s: PlanStep, links: readonly LiveLink[]): void {
  for (const peer of ctx.peersUsingTsig(s.address.account, s.targetId!)) {
    const peerStep = [...out.steps.values()].find(
      (p) => p.address.kind === 'SecondaryDnsPeer' && p.targetId === peer.id,
    );
    // Deleted too: the peer's own guard decides. Moved off this TSIG: nothing links the TSIG any more.
    if (peerStep?.action === 'delete') continue;
    const body = peerStep?.body;
    if (body && 'tsig_id' in body && body.tsig_id !== s.targetId && body.tsig_ref === undefined) continue;
    for (const l of links) {
      if (!l.after.has(peer.id)) continue;
      out.errors.push(
        new CfgitopsError(
          'E_ZONE_LINK_IN_USE',
          `${displayAddress(s.address, ctx.input.config.accounts)} (TSIG ${s.targetId}) cannot be deleted: peer "${peer.name}" (${peer.id}) uses it and ${zoneText(ctx, l)} uses that peer`,
          { hint: "move the peer to another TSIG key, or remove it from that zone's peers, first" },
        ),
      );
    }
  }
}
