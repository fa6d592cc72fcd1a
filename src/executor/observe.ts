/**
 * Reads live state with the fewest calls: one list per kind per account (tokens walk pages of 50), plus one
 * permission-group list per account — never one GET per resource. A kind is listed in an account only when
 * something desired, recorded or pending there needs it, and permission groups only where tokens are desired.
 */
import type { CfZone, CloudflareApi } from '../cloudflare/types.js';
import type { DesiredResource } from '../manifest/types.js';
import { emptyLiveAccount, type LiveAccount, type LiveSnapshot } from '../planner/live.js';
import { KINDS, kindOf, type ResourceKind } from '../kinds/registry.js';
import { addressKey } from '../resources.js';
import type { StateDocument } from '../state/types.js';

export interface ObserveNeeds {
  /** account id → kinds to list there */
  kinds: Map<string, Set<ResourceKind>>;
  /** accounts whose permission-group catalog is needed to resolve token policies */
  permissionGroups: Set<string>;
  /** `${account}\u0000${kind}` → zones whose link of that kind is read (one GET each; outgoing: and its status) */
  zones?: Map<string, Set<string>>;
  /**
   * account id → zone id → the kinds of link desired there: a zone whose desired link turns out absent (a create)
   * has its details read, one GET, so the plan can check the zone's type. A no-change plan reads none.
   */
  desiredLinks?: Map<string, Map<string, Set<ResourceKind>>>;
}

/**
 * Pure: which lists a plan needs. Zone links are read per zone and direction: those desired or recorded; and where
 * a recorded peer or TSIG is no longer desired (this plan may delete it, which is refused while any zone still uses
 * it, managed or not), every zone the Config names, in both directions.
 */
export function observeNeeds(
  desired: readonly DesiredResource[],
  state: StateDocument,
  configZones: Readonly<Record<string, string>> = {},
): ObserveNeeds {
  const kinds = new Map<string, Set<ResourceKind>>();
  const permissionGroups = new Set<string>();
  const zones = new Map<string, Set<string>>();
  const zone = (account: string, kind: ResourceKind, id: string): void => {
    const key = zoneScopeKey(account, kind);
    let set = zones.get(key);
    if (!set) zones.set(key, (set = new Set()));
    set.add(id);
  };
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
  const desiredKeys = new Set(desired.map((d) => addressKey(d.address)));
  const sweep = new Set<string>();
  for (const r of Object.values(state.resources)) {
    need(r.account, r.kind);
    const kind = kindOf(r.kind);
    if (kind.zoneLevel) zone(r.account, r.kind, r.id);
    if (!desiredKeys.has(addressKey(r)) && kind.observeAlso.some((k) => kindOf(k).zoneLevel)) sweep.add(r.account);
  }
  for (const i of Object.values(state.pending)) {
    need(i.account, i.kind);
    // An interrupted link create: its zone is read even if no manifest names it any more (the plan deletes it).
    if (i.zone_id !== undefined && kindOf(i.kind).zoneLevel) zone(i.account, i.kind, i.zone_id);
  }
  const desiredLinks = new Map<string, Map<string, Set<ResourceKind>>>();
  for (const d of desired) {
    if (!kindOf(d.kind).zoneLevel) continue;
    const id = (d.spec as { zone: string }).zone;
    zone(d.address.account, d.kind, id);
    let byZone = desiredLinks.get(d.address.account);
    if (!byZone) desiredLinks.set(d.address.account, (byZone = new Map<string, Set<ResourceKind>>()));
    let kindsThere = byZone.get(id);
    if (!kindsThere) byZone.set(id, (kindsThere = new Set()));
    kindsThere.add(d.kind);
  }
  for (const account of sweep) {
    for (const k of KINDS) {
      if (!k.zoneLevel) continue;
      for (const id of Object.values(configZones)) {
        need(account, k.kind);
        zone(account, k.kind, id);
      }
    }
  }
  // A zone-level kind with no zone in scope costs nothing and is not listed.
  for (const [account, listed] of kinds) {
    for (const k of KINDS) if (k.zoneLevel && !zones.has(zoneScopeKey(account, k.kind))) listed.delete(k.kind);
  }
  return { kinds, permissionGroups, zones, desiredLinks };
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
          const scope = { zones: [...(needs.zones?.get(zoneScopeKey(account, k.kind)) ?? [])].sort() };
          (live[k.liveKey] as unknown[]) = await k.list(api, account, scope, signal);
        }),
        needs.permissionGroups.has(account)
          ? api.listPermissionGroups(account, undefined, signal).then((groups) => {
              live.permissionGroups = groups;
            })
          : undefined,
      ]);
      const details = await zoneDetailsForCreates(api, needs, account, live, signal);
      if (details) live.zoneDetails = details;
      accounts[account] = live;
    }),
  );
  return { accounts };
}

/**
 * The details of each zone a desired link names whose link of that kind is absent live (the plan will create it),
 * read after the links themselves (one GET per such zone); undefined when there are none.
 */
async function zoneDetailsForCreates(
  api: CloudflareApi,
  needs: ObserveNeeds,
  account: string,
  live: LiveAccount,
  signal: AbortSignal | undefined,
): Promise<Record<string, CfZone> | undefined> {
  const wanted = needs.desiredLinks?.get(account);
  if (!wanted) return undefined;
  const missing = [...wanted]
    .filter(([zone, kinds]) =>
      [...kinds].some((kind) => !(live[kindOf(kind).liveKey] as { id: string }[]).some((l) => l.id === zone)),
    )
    .map(([zone]) => zone);
  if (missing.length === 0) return undefined;
  const details: Record<string, CfZone> = {};
  await Promise.all(
    missing.sort().map(async (zone) => {
      const found = await api.getZone(zone, signal);
      if (found) details[zone] = found;
    }),
  );
  return details;
}

function zoneScopeKey(account: string, kind: ResourceKind): string {
  return `${account}\u0000${kind}`;
}
