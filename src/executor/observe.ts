/**
 * Reads live state with the fewest calls: one list per kind per account (tokens walk pages of 50), plus one
 * permission-group list per account — never one GET per resource. A kind is listed in an account only when
 * something desired, recorded or pending there needs it, and permission groups only where tokens are desired.
 */
import type { CloudflareApi } from '../cloudflare/types.js';
import type { DesiredResource } from '../manifest/types.js';
import { emptyLiveAccount, type LiveAccount, type LiveSnapshot } from '../planner/live.js';
import { KINDS, kindOf, type ResourceKind } from '../kinds/registry.js';
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
    const kind = kindOf(d.kind);
    if (kind.needsPermissionGroups) permissionGroups.add(d.address.account);
    // No `observeAlso` here: that is export's (a peer's TSIG named by manifest name). A plan of a peer needs no TSIG
    // list — its `tsig` names a desired TSIG, listed for that one, and its `tsig_id` is passed through unchecked —
    // so a peers-only account costs one list, not two in a row (a latency round before any write).
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
      const live = emptyLiveAccount();
      await Promise.all([
        ...KINDS.filter((k) => kinds.has(k.kind)).map(async (k) => {
          (live[k.liveKey] as unknown[]) = await k.list(api, account, signal);
        }),
        needs.permissionGroups.has(account)
          ? api.listPermissionGroups(account, undefined, signal).then((groups) => {
              live.permissionGroups = groups;
            })
          : undefined,
      ]);
      accounts[account] = live;
    }),
  );
  return { accounts };
}
