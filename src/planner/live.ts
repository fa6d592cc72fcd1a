/**
 * What Cloudflare holds right now, as read by the observer: one list per kind per account, plus the account's
 * permission-group catalog (names are resolved against it at plan time: docs/cloudflare-api.md).
 */
import type { CfAcl, CfPeer, CfPermissionGroup, CfToken, CfTsig, CfZone, CfZoneTransfer } from '../cloudflare/types.js';

export interface LiveAccount {
  tsigs: CfTsig[];
  peers: CfPeer[];
  tokens: CfToken[];
  acls: CfAcl[];
  /** Zone transfer links of the zones in scope (one GET per zone and direction). */
  incoming: CfZoneTransfer[];
  outgoing: CfZoneTransfer[];
  permissionGroups: CfPermissionGroup[];
  /**
   * Zones a plan would give a new transfer link, by zone id (one GET each, only then): the planner refuses a link
   * the zone's type cannot take. A zone missing here is unknown (not read, or not readable): Cloudflare decides.
   */
  zoneDetails?: Record<string, CfZone>;
}

export interface LiveSnapshot {
  /** Keyed by 32-hex account id. */
  accounts: Record<string, LiveAccount>;
}

export function emptyLiveAccount(): LiveAccount {
  return { tsigs: [], peers: [], tokens: [], acls: [], incoming: [], outgoing: [], permissionGroups: [] };
}
