/**
 * Test builders for the planner: DesiredResources with a fake `locate` (line = depth of the pointer, so tests can
 * assert positions), recorded state, live snapshots, and a full PlanInput with sensible defaults.
 */
import type { CfPermissionGroup } from '../../../src/cloudflare/types.js';
import { defaultConfig, type ResolvedConfig } from '../../../src/config/types.js';
import type { SourceLocation } from '../../../src/errors.js';
import type {
  DesiredIncoming,
  DesiredOutgoing,
  DesiredPeer,
  DesiredResource,
  DesiredToken,
  DesiredTsig,
  PeerSpec,
  TokenSpec,
  TsigSpec,
} from '../../../src/manifest/types.js';
import type { LiveAccount, LiveSnapshot } from '../../../src/planner/live.js';
import type { PlanInput } from '../../../src/planner/plan-changes.js';
import { addressKey, type ResourceKind } from '../../../src/resources.js';
import { Secret } from '../../../src/secret.js';
import { emptyState, type RecordedResource, type StateDocument } from '../../../src/state/types.js';

export const ACCOUNT = '0123456789abcdef0123456789abcdef';
export const OTHER_ACCOUNT = 'fedcba9876543210fedcba9876543210';
export const NOW = Date.parse('2026-03-01T12:00:00Z');
export const ACCOUNT_SCOPE = 'com.cloudflare.api.account';
export const ZONE_SCOPE = 'com.cloudflare.api.account.zone';

export const CATALOG: CfPermissionGroup[] = [
  { id: 'c8fed203ed3043cba015a93ad1616f1f', name: 'Zone Read', scopes: [ZONE_SCOPE] },
  { id: '82e64a83756745bbbb1c9c2701bf816b', name: 'DNS Read', scopes: [ZONE_SCOPE] },
  { id: '4755a26eedb94da69e1066d98aa820be', name: 'DNS Write', scopes: [ZONE_SCOPE] },
  { id: '96163bd1b0784f62b3e44ed8c2ab1eb6', name: 'Logs Read', scopes: [ZONE_SCOPE] },
  { id: '6a315a56f18441e59ed03352369ae956', name: 'Logs Read', scopes: [ACCOUNT_SCOPE] },
  { id: 'eb56a6953c034b9d97dd838155666f06', name: 'Account API Tokens Read', scopes: [ACCOUNT_SCOPE] },
  { id: '5bc3f8b21c554832afc660159ab75fa4', name: 'Account API Tokens Write', scopes: [ACCOUNT_SCOPE] },
];
export const PG = {
  zoneRead: CATALOG[0]!.id,
  dnsRead: CATALOG[1]!.id,
  dnsWrite: CATALOG[2]!.id,
  logsReadZone: CATALOG[3]!.id,
  logsReadAccount: CATALOG[4]!.id,
  tokensWrite: CATALOG[6]!.id,
};

/** Fake positions: line = 100 × document index + number of pointer segments, col = 3. */
function locator(file: string, docIndex: number): (pointer: string) => SourceLocation {
  return (pointer) => ({ file, line: docIndex * 100 + pointer.split('/').length, col: 3, pointer });
}

let docCounter = 0;

interface Common {
  account?: string;
  annotations?: Record<string, string>;
}

function base<K extends ResourceKind>(kind: K, name: string, c: Common) {
  const docIndex = ++docCounter;
  const locate = locator(`desired-state/${kind}.yaml`, docIndex);
  return {
    kind,
    address: { kind, account: c.account ?? ACCOUNT, name },
    annotations: c.annotations ?? {},
    source: locate(''),
    locate,
  };
}

export function tsig(name: string, spec: Partial<TsigSpec> = {}, c: Common = {}): DesiredTsig {
  return {
    ...base('SecondaryDnsTsig', name, c),
    spec: { name: `${name}.example.com.`, algo: 'hmac-sha512.', secret: { fromEnv: 'TSIG' }, ...spec },
  };
}

export function peer(name: string, spec: Partial<PeerSpec> = {}, c: Common = {}): DesiredPeer {
  return {
    ...base('SecondaryDnsPeer', name, c),
    spec: { name: `${name}-peer`, ip: '192.0.2.10', port: 53, ixfr_enable: false, ...spec },
  };
}

/** A zone transfer link to `zone` (a zone id) from or to the peers named. */
export function incoming(name: string, zone: string, peers: string[], c: Common = {}): DesiredIncoming {
  return {
    ...base('SecondaryDnsIncoming', name, c),
    spec: { zone, name: `${name}.example.`, peers, auto_refresh_seconds: 86400 },
  };
}

export function outgoing(name: string, zone: string, peers: string[], c: Common = {}): DesiredOutgoing {
  return { ...base('SecondaryDnsOutgoing', name, c), spec: { zone, name: `${name}.example.`, peers, enabled: true } };
}

export function token(name: string, spec: Partial<TokenSpec> = {}, c: Common = {}): DesiredToken {
  return {
    ...base('AccountToken', name, c),
    spec: {
      name: `${name}-token`,
      policies: [
        {
          effect: 'allow',
          permission_groups: [{ name: 'DNS Read' }, { name: 'Zone Read', scope: ZONE_SCOPE }],
          resources: { [`com.cloudflare.api.account.${ACCOUNT}`]: '*' },
        },
      ],
      ...spec,
    },
  };
}

/** A TSIG secret for every desired TSIG, keyed by address. */
export function secretsFor(
  desired: readonly DesiredResource[],
  value = 'c2VjcmV0LXRzaWctdmFsdWUtMDEyMzQ1Njc4OQ==',
): Map<string, Secret> {
  return new Map(
    desired.filter((d) => d.kind === 'SecondaryDnsTsig').map((d) => [addressKey(d.address), new Secret(value)]),
  );
}

export function recorded(d: DesiredResource, id: string, extra: Partial<RecordedResource> = {}): RecordedResource {
  return {
    kind: d.kind,
    account: d.address.account,
    name: d.address.name,
    id,
    cf_name: d.spec.name,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    complete: true,
    ...(d.kind === 'AccountToken'
      ? {
          sink: { sink: d.spec.secret?.sink ?? 'local', key: d.spec.secret?.key ?? d.address.name },
          value_status: 'delivered' as const,
        }
      : {}),
    origin: 'created',
    ...extra,
  };
}

export function stateWith(
  resources: readonly RecordedResource[],
  pending: StateDocument['pending'] = {},
): StateDocument {
  const s = emptyState('lineage-1');
  s.serial = 7;
  for (const r of resources) s.resources[addressKey(r)] = r;
  s.pending = pending;
  return s;
}

export function liveAccount(partial: Partial<LiveAccount> = {}): LiveAccount {
  return {
    tsigs: [],
    peers: [],
    tokens: [],
    acls: [],
    incoming: [],
    outgoing: [],
    permissionGroups: CATALOG,
    ...partial,
  };
}

export function liveWith(partial: Partial<LiveAccount> = {}, account = ACCOUNT): LiveSnapshot {
  return { accounts: { [account]: liveAccount(partial) } };
}

export function input(
  partial: Partial<Omit<PlanInput, 'config'>> & { config?: Partial<ResolvedConfig> } = {},
): PlanInput {
  const desired = partial.desired ?? [];
  return {
    desired,
    secrets: partial.secrets ?? secretsFor(desired),
    ...(partial.uncheckedSecrets ? { uncheckedSecrets: partial.uncheckedSecrets } : {}),
    state: partial.state ?? stateWith([]),
    live: partial.live ?? liveWith(),
    now: partial.now ?? NOW,
    manifestsDigest: partial.manifestsDigest ?? 'sha256:manifests',
    configDigest: partial.configDigest ?? 'sha256:config',
    options: partial.options ?? { prune: false, allowMassDelete: false },
    config: { ...defaultConfig(), ...partial.config },
  };
}

/** 32-hex id derived from a label, so tests read well. */
export function hexId(label: string): string {
  let h = 0x811c9dc5;
  let out = '';
  for (let round = 0; out.length < 32; round++) {
    for (const ch of `${label}#${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, 32);
}
