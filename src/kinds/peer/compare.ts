/**
 * Semantic comparison of a planned peer body with a live peer: port defaults to 53, ixfr_enable to false, and
 * IPv6 addresses compare in canonical form.
 */
import type { CfPeer } from '../../cloudflare/types.js';
import { normalizeIp } from '../../planner/net.js';
import type { FieldChange, PlannedPeerBody } from '../../planner/plan.js';

export const DEFAULT_PEER_PORT = 53;

/** What a diff shows for the id of a TSIG that is only created in this same apply. */
export const KNOWN_AFTER_APPLY = '(known after apply)';

export function comparePeer(desired: PlannedPeerBody, live: CfPeer): FieldChange[] {
  const diff: FieldChange[] = [];
  if (desired.name !== live.name) diff.push({ path: '/name', before: live.name, after: desired.name });
  if (!sameIp(desired.ip, live.ip)) diff.push({ path: '/ip', before: live.ip, after: desired.ip });
  const livePort = live.port ?? DEFAULT_PEER_PORT;
  if (desired.port !== livePort) diff.push({ path: '/port', before: livePort, after: desired.port });
  const liveIxfr = live.ixfr_enable ?? false;
  if (desired.ixfr_enable !== liveIxfr) {
    diff.push({ path: '/ixfr_enable', before: liveIxfr, after: desired.ixfr_enable });
  }
  if (desired.tsig_ref !== undefined || desired.tsig_id !== live.tsig_id) {
    diff.push({ path: '/tsig_id', before: live.tsig_id, after: desiredTsig(desired) });
  }
  return diff;
}

export function peerCreationDiff(desired: PlannedPeerBody): FieldChange[] {
  const diff: FieldChange[] = [{ path: '/name', after: desired.name }];
  if (desired.ip !== undefined) diff.push({ path: '/ip', after: desired.ip });
  diff.push({ path: '/port', after: desired.port }, { path: '/ixfr_enable', after: desired.ixfr_enable });
  const tsig = desiredTsig(desired);
  if (tsig !== undefined) diff.push({ path: '/tsig_id', after: tsig });
  return diff;
}

function desiredTsig(desired: PlannedPeerBody): string | undefined {
  return desired.tsig_ref !== undefined ? KNOWN_AFTER_APPLY : desired.tsig_id;
}

function sameIp(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (normalizeIp(a) ?? a.trim().toLowerCase()) === (normalizeIp(b) ?? b.trim().toLowerCase());
}
