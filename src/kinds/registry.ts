/**
 * The registry of resource kinds: every kind cfgitops manages, once. The loader, planner, executor, observer,
 * import, drift and export iterate `KINDS` (or look a kind up with `kindOf`) instead of switching on the kind.
 *
 * Adding a kind: a folder `src/kinds/<kind>/` whose index.ts exports its `KindDefinition` (./kind.ts says what it
 * declares), one line in `KINDS` below and its line in `KindTypes` beside it (the TypeScript shapes the compiler
 * cannot read off a value).
 *
 * `KINDS` is in create order: TSIGs before the peers that point at them; deletes run in the reverse order.
 */
import type { CfAcl, CfPeer, CfToken, CfTsig, CfZoneTransfer } from '../cloudflare/types.js';
import type { AclSpec, IncomingSpec, OutgoingSpec, PeerSpec, TokenSpec, TsigSpec } from '../manifest/types.js';
import type {
  PlannedAclBody,
  PlannedPeerBody,
  PlannedTokenBody,
  PlannedTsigBody,
  PlannedZoneLinkBody,
} from '../planner/plan.js';
import type { AccountAliases, ResourceAddress } from '../resources.js';
import { aclKind, type AclApi } from './acl/index.js';
import { incomingKind } from './incoming/index.js';
import type { KindDefinition } from './kind.js';
import { outgoingKind } from './outgoing/index.js';
import type { ZoneTransfersApi } from './zone-link/api.js';
import { peerKind, type PeerApi } from './peer/index.js';
import { tokenKind, type TokenApi } from './token/index.js';
import { tsigKind, type TsigApi } from './tsig/index.js';

/** Per kind: its manifest spec, its live shape, its planned body and its API slice. */
export interface KindTypes {
  SecondaryDnsTsig: { spec: TsigSpec; live: CfTsig; body: PlannedTsigBody; api: TsigApi };
  SecondaryDnsPeer: { spec: PeerSpec; live: CfPeer; body: PlannedPeerBody; api: PeerApi };
  SecondaryDnsAcl: { spec: AclSpec; live: CfAcl; body: PlannedAclBody; api: AclApi };
  SecondaryDnsIncoming: { spec: IncomingSpec; live: CfZoneTransfer; body: PlannedZoneLinkBody; api: ZoneTransfersApi };
  SecondaryDnsOutgoing: { spec: OutgoingSpec; live: CfZoneTransfer; body: PlannedZoneLinkBody; api: ZoneTransfersApi };
  AccountToken: { spec: TokenSpec; live: CfToken; body: PlannedTokenBody; api: TokenApi };
}
export type ResourceKind = keyof KindTypes;

export const KINDS: readonly KindDefinition<ResourceKind>[] = [
  erase(tsigKind),
  erase(peerKind),
  erase(aclKind),
  erase(incomingKind),
  erase(outgoingKind),
  erase(tokenKind),
];

/**
 * A kind's definition as the registry holds it. Sound because every caller hands a kind only resources, steps and
 * records of that kind (looked up by their `kind` field); TypeScript cannot follow that through a table, and
 * measures `KindDefinition`'s parameter as invariant.
 */
function erase<K extends ResourceKind>(def: KindDefinition<K>): KindDefinition<ResourceKind> {
  return def as unknown as KindDefinition<ResourceKind>;
}

export const RESOURCE_KINDS: readonly ResourceKind[] = KINDS.map((k) => k.kind);

const BY_KIND = new Map<string, KindDefinition<ResourceKind>>(KINDS.map((k) => [k.kind, k]));

export function isResourceKind(text: string): text is ResourceKind {
  return BY_KIND.has(text);
}

export function kindOf<K extends ResourceKind>(kind: K): KindDefinition<K> {
  const def = BY_KIND.get(kind);
  // Unreachable for a ResourceKind: every key of KindTypes has its line in KINDS (registry.test.ts checks it).
  if (!def) throw new Error(`resource kind ${kind} is not registered`);
  return def as unknown as KindDefinition<K>;
}

/** Position in create order (deletes run in reverse). */
export const KIND_ORDER: Readonly<Record<ResourceKind, number>> = Object.fromEntries(
  KINDS.map((k, i) => [k.kind, i]),
) as Record<ResourceKind, number>;

export function parseAddressKey(key: string): ResourceAddress | undefined {
  const m = /^([A-Za-z]+)\/([0-9a-f]{32})\/(.+)$/.exec(key);
  if (!m || !isResourceKind(m[1]!)) return undefined;
  return { kind: m[1], account: m[2]!, name: m[3]! };
}

/**
 * What a user typed for an address (`Kind/account/name`, the account an alias or an id) → the same text with the
 * account as its id, so `state show AccountToken/main/ci` finds what state keys by id. Anything else is returned as
 * it is (a bare name, `Kind/name`).
 */
export function resolveAccountRef(ref: string, aliases: AccountAliases): string {
  const parts = ref.split('/');
  if (parts.length < 3 || !isResourceKind(parts[0]!)) return ref;
  const account = parts[1]!;
  const id = Object.hasOwn(aliases, account) ? aliases[account] : undefined;
  return id === undefined ? ref : [parts[0], id, ...parts.slice(2)].join('/');
}
