/**
 * Comparison of a desired zone transfer link with the zone's live configuration (pure): the name, the peers as a
 * set (their order means nothing to Cloudflare), the refresh interval (incoming) and whether transfers are enabled
 * (outgoing, from `GET …/outgoing/status`).
 */
import type { CfZoneTransfer } from '../../cloudflare/types.js';
import { setChange } from '../../planner/diff-policies.js';
import type { FieldChange, PlannedPeerRef, PlannedZoneLinkBody } from '../../planner/plan.js';
import { KNOWN_AFTER_APPLY } from '../peer/compare.js';

export const DEFAULT_AUTO_REFRESH_SECONDS = 86400;

function peerText(p: PlannedPeerRef): string {
  return 'id' in p ? p.id : `${KNOWN_AFTER_APPLY} ${p.ref.split('/').pop() ?? p.ref}`;
}

/** "Enabled" / "Disabled" (any case, any wording around it) → the flag; anything else is unknown. */
export function enabledOf(status: string | null | undefined): boolean | undefined {
  if (typeof status !== 'string') return undefined;
  if (/disabled/i.test(status)) return false;
  if (/enabled/i.test(status)) return true;
  return undefined;
}

export function compareZoneLink(desired: PlannedZoneLinkBody, live: CfZoneTransfer): FieldChange[] {
  const diff: FieldChange[] = [];
  if (desired.name !== live.name) diff.push({ path: '/name', before: live.name, after: desired.name });
  diff.push(...setChange('/peers', live.peers, desired.peers.map(peerText)));
  if (desired.auto_refresh_seconds !== undefined) {
    const was = live.auto_refresh_seconds ?? DEFAULT_AUTO_REFRESH_SECONDS;
    if (was !== desired.auto_refresh_seconds) {
      diff.push({ path: '/auto_refresh_seconds', before: was, after: desired.auto_refresh_seconds });
    }
  }
  if (desired.enabled !== undefined) {
    const was = enabledOf(live.status);
    if (was !== undefined && was !== desired.enabled)
      diff.push({ path: '/enabled', before: was, after: desired.enabled });
  }
  return diff;
}

export function zoneLinkCreationDiff(desired: PlannedZoneLinkBody): FieldChange[] {
  const diff: FieldChange[] = [
    { path: '/name', after: desired.name },
    ...setChange('/peers', [], desired.peers.map(peerText)),
  ];
  if (desired.auto_refresh_seconds !== undefined) {
    diff.push({ path: '/auto_refresh_seconds', after: desired.auto_refresh_seconds });
  }
  if (desired.enabled !== undefined) diff.push({ path: '/enabled', after: desired.enabled });
  return diff;
}
