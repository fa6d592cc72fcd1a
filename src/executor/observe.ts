/**
 * Reads live state with the fewest calls: one list per kind per account (tokens walk pages of 50), plus one
 * permission-group list per account — never one GET per resource. A kind is listed in an account only when
 * something desired, recorded or pending there needs it, and permission groups only where tokens are desired.
 */
import type { CloudflareApi } from '../cloudflare/types.js';
import type { DesiredResource } from '../manifest/types.js';
import type { LiveAccount, LiveSnapshot } from '../planner/live.js';
import type { ResourceKind } from '../resources.js';
import type { StateDocument } from '../state/types.js';

export interface ObserveNeeds {
  /** account id → kinds to list there */
  kinds: Map<string, Set<ResourceKind>>;
  /** accounts whose permission-group catalog is needed to resolve token policies */
  permissionGroups: Set<string>;
}

/** Pure: which lists a plan needs. */
export function observeNeeds(desired: readonly DesiredResource[], state: StateDocument): ObserveNeeds {
  const kinds = new Map<string, Set<ResourceKind>>();
  const permissionGroups = new Set<string>();
  const need = (account: string, kind: ResourceKind): void => {
    let set = kinds.get(account);
    if (!set) kinds.set(account, (set = new Set()));
    set.add(kind);
  };
  for (const d of desired) {
    need(d.address.account, d.kind);
    if (d.kind === 'AccountToken') permissionGroups.add(d.address.account);
    // A peer's `tsig_id` is checked against the live TSIG list.
    if (d.kind === 'SecondaryDnsPeer') need(d.address.account, 'SecondaryDnsTsig');
  }
  for (const r of Object.values(state.resources)) need(r.account, r.kind);
  for (const i of Object.values(state.pending)) need(i.account, i.kind);
  return { kinds, permissionGroups };
}

export async function observeLive(
  api: CloudflareApi,
  needs: ObserveNeeds,
  signal?: AbortSignal,
): Promise<LiveSnapshot> {
  const accounts: Record<string, LiveAccount> = {};
  const accountIds = [...new Set([...needs.kinds.keys(), ...needs.permissionGroups])].sort();
  await Promise.all(
    accountIds.map(async (account) => {
      const kinds = needs.kinds.get(account) ?? new Set<ResourceKind>();
      const [tsigs, peers, tokens, permissionGroups] = await Promise.all([
        kinds.has('SecondaryDnsTsig') ? api.listTsigs(account, signal) : [],
        kinds.has('SecondaryDnsPeer') ? api.listPeers(account, signal) : [],
        kinds.has('AccountToken') ? api.listTokens(account, signal) : [],
        needs.permissionGroups.has(account) ? api.listPermissionGroups(account, undefined, signal) : [],
      ]);
      accounts[account] = { tsigs, peers, tokens, permissionGroups };
    }),
  );
  return { accounts };
}
