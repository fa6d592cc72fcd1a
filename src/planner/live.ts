/**
 * What Cloudflare holds right now, as read by the observer: one list per kind per account, plus the account's
 * permission-group catalog (names are resolved against it at plan time: docs/cloudflare-api.md).
 */
import type { CfAcl, CfPeer, CfPermissionGroup, CfToken, CfTsig, CfZoneTransfer } from '../cloudflare/types.js';

export interface LiveAccount {
  tsigs: CfTsig[];
  peers: CfPeer[];
  tokens: CfToken[];
  acls: CfAcl[];
  /** Zone transfer links of the zones in scope (one GET per zone and direction). */
  incoming: CfZoneTransfer[];
  outgoing: CfZoneTransfer[];
  permissionGroups: CfPermissionGroup[];
}

export interface LiveSnapshot {
  /** Keyed by 32-hex account id. */
  accounts: Record<string, LiveAccount>;
}

export function emptyLiveAccount(): LiveAccount {
  return { tsigs: [], peers: [], tokens: [], acls: [], incoming: [], outgoing: [], permissionGroups: [] };
}
