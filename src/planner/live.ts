/**
 * What Cloudflare holds right now, as read by the observer: one list per kind per account, plus the account's
 * permission-group catalog (names are resolved against it at plan time: docs/cloudflare-api.md).
 */
import type { CfAcl, CfPeer, CfPermissionGroup, CfToken, CfTsig } from '../cloudflare/types.js';

export interface LiveAccount {
  tsigs: CfTsig[];
  peers: CfPeer[];
  tokens: CfToken[];
  acls: CfAcl[];
  permissionGroups: CfPermissionGroup[];
}

export interface LiveSnapshot {
  /** Keyed by 32-hex account id. */
  accounts: Record<string, LiveAccount>;
}

export function emptyLiveAccount(): LiveAccount {
  return { tsigs: [], peers: [], tokens: [], acls: [], permissionGroups: [] };
}
