/**
 * Everything the planner looks things up in, indexed once in Maps so 10,000 resources plan in linear time:
 * recorded state by address, live resources by id and (unmanaged only) by Cloudflare name, pending intents by
 * address, and one permission-group catalog per account.
 */
import type { CfPeer } from '../cloudflare/types.js';
import type { ResolvedConfig } from '../config/types.js';
import type { DesiredResource, ResolvedSecrets } from '../manifest/types.js';
import { KINDS, type KindTypes, type ResourceKind } from '../kinds/registry.js';
import { addressKey } from '../resources.js';
import type { Intent, RecordedResource, StateDocument } from '../state/types.js';
import { emptyLiveAccount, type LiveAccount, type LiveSnapshot } from './live.js';
import { PermissionCatalog } from './permission-catalog.js';
import type { ForcedRotation } from './plan-rotation.js';

export interface PlanInput {
  desired: readonly DesiredResource[];
  secrets: ResolvedSecrets;
  /**
   * TSIGs (addressKey) whose secret reference is not the applied one (src/manifest/secret-ref.ts): their secret is
   * not compared (it was not read); an existing one is shown as changing, checked at apply (W_SECRET_UNCHECKED).
   * Absent: none.
   */
  uncheckedSecrets?: ReadonlySet<string>;
  config: ResolvedConfig;
  state: StateDocument;
  live: LiveSnapshot;
  /** ms since the epoch: expiry decisions and `created_at` (the planner never reads a clock). */
  now: number;
  manifestsDigest: string;
  configDigest: string;
  options: { prune: boolean; allowMassDelete: boolean; forceRotation?: ForcedRotation };
}

export type LiveByKind = { [K in ResourceKind]: KindTypes[K]['live'] };
export type LiveResource = LiveByKind[ResourceKind];

export class PlanContext {
  readonly input: PlanInput;
  readonly desiredByKey = new Map<string, DesiredResource>();
  readonly recorded = new Map<string, RecordedResource>();
  readonly intentsByAddress = new Map<string, Intent[]>();
  readonly #managedIds = new Set<string>();
  readonly #claimed = new Set<string>();
  readonly #liveById = new Map<string, LiveResource>();
  readonly #unmanagedByName = new Map<string, LiveResource[]>();
  readonly #peersByTsigId = new Map<string, CfPeer[]>();
  readonly #catalogs = new Map<string, PermissionCatalog>();

  constructor(input: PlanInput) {
    this.input = input;
    for (const d of input.desired) this.desiredByKey.set(addressKey(d.address), d);
    for (const r of Object.values(input.state.resources ?? {})) {
      this.recorded.set(addressKey(r), r);
      this.#managedIds.add(idKey(r.kind, r.account, r.id));
      // A predecessor is managed too: never adopted by name, never an orphan.
      if (r.predecessor) this.#managedIds.add(idKey(r.kind, r.account, r.predecessor.id));
    }
    const intents = Object.values(input.state.pending ?? {}).sort(
      (a, b) => compareText(a.started_at, b.started_at) || compareText(a.id, b.id),
    );
    for (const intent of intents) {
      const key = addressKey(intent);
      const list = this.intentsByAddress.get(key);
      if (list) list.push(intent);
      else this.intentsByAddress.set(key, [intent]);
    }
    for (const [account, snapshot] of Object.entries(input.live.accounts ?? {})) this.#indexAccount(account, snapshot);
  }

  liveById<K extends ResourceKind>(kind: K, account: string, id: string): LiveByKind[K] | undefined {
    return this.#liveById.get(idKey(kind, account, id)) as LiveByKind[K] | undefined;
  }

  /** Live resources of a kind and Cloudflare name that no state entry records and no step has claimed yet. */
  unmanagedNamed<K extends ResourceKind>(kind: K, account: string, cfName: string): readonly LiveByKind[K][] {
    const all = this.#unmanagedByName.get(idKey(kind, account, cfName));
    // Most desired resources have no unmanaged namesake: no new array for them (called once per create).
    if (all === undefined) return NONE as readonly LiveByKind[K][];
    return all.filter((r) => !this.#claimed.has(idKey(kind, account, r.id))) as LiveByKind[K][];
  }

  /** Marks a live resource as taken by a step, so no other step adopts it. */
  claim(kind: ResourceKind, account: string, id: string): void {
    this.#claimed.add(idKey(kind, account, id));
  }

  /** Live peers whose `tsig_id` is this TSIG id. */
  peersUsingTsig(account: string, tsigId: string): CfPeer[] {
    return this.#peersByTsigId.get(`${account}/${tsigId}`) ?? [];
  }

  catalog(account: string): PermissionCatalog {
    let c = this.#catalogs.get(account);
    if (!c) {
      c = new PermissionCatalog([]);
      this.#catalogs.set(account, c);
    }
    return c;
  }

  #indexAccount(account: string, snapshot: LiveAccount): void {
    const s = { ...emptyLiveAccount(), ...snapshot };
    this.#catalogs.set(account, new PermissionCatalog(s.permissionGroups ?? []));
    for (const { kind, liveKey } of KINDS) {
      for (const r of (s[liveKey] ?? []) as LiveResource[]) {
        const key = idKey(kind, account, r.id);
        this.#liveById.set(key, r);
        if (this.#managedIds.has(key)) continue;
        const byName = idKey(kind, account, r.name);
        const list = this.#unmanagedByName.get(byName);
        if (list) list.push(r);
        else this.#unmanagedByName.set(byName, [r]);
      }
    }
    for (const p of s.peers ?? []) {
      if (p.tsig_id === undefined) continue;
      const k = `${account}/${p.tsig_id}`;
      const list = this.#peersByTsigId.get(k);
      if (list) list.push(p);
      else this.#peersByTsigId.set(k, [p]);
    }
  }
}

const NONE: readonly LiveResource[] = Object.freeze([]);

function idKey(kind: ResourceKind, account: string, idOrName: string): string {
  return `${kind}\u0000${account}\u0000${idOrName}`;
}

/** Code-unit order: deterministic across locales (never localeCompare in plans). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
