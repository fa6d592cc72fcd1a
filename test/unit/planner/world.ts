/**
 * The world right after a successful apply of `desired`: what Cloudflare would return (in API spelling) and what
 * the executor would have recorded, including the applied sink and guardrail config (the defaults unless given).
 * Planning against it with that config must give only no-op steps and no config changes.
 */
import type { CfPeer, CfPermissionGroup, CfToken, CfTsig } from '../../../src/cloudflare/types.js';
import { defaultConfig, type ResolvedConfig } from '../../../src/config/types.js';
import type { DesiredResource } from '../../../src/manifest/types.js';
import type { LiveSnapshot } from '../../../src/planner/live.js';
import { addressKey, ANNOTATION_PREVENT_DESTROY } from '../../../src/resources.js';
import type { Secret } from '../../../src/secret.js';
import { appliedConfigOf } from '../../../src/state/applied-config.js';
import type { RecordedResource, StateDocument } from '../../../src/state/types.js';
import { CATALOG, hexId, liveAccount, recorded, stateWith } from './builders.js';

export interface World {
  state: StateDocument;
  live: LiveSnapshot;
  ids: Map<string, string>;
}

export function resolveGroup(
  sel: { name: string; scope?: string } | { id: string },
  catalog = CATALOG,
): CfPermissionGroup {
  const g =
    'id' in sel
      ? catalog.find((c) => c.id === sel.id)
      : catalog.find((c) => c.name === sel.name && (sel.scope === undefined || c.scopes.includes(sel.scope)));
  if (!g) throw new Error(`test catalog lacks ${JSON.stringify(sel)}`);
  return g;
}

export function applied(
  desired: readonly DesiredResource[],
  secrets: ReadonlyMap<string, Secret>,
  config: ResolvedConfig = defaultConfig(),
): World {
  const ids = new Map(desired.map((d) => [addressKey(d.address), hexId(addressKey(d.address))]));
  const live: LiveSnapshot = { accounts: {} };
  const records: RecordedResource[] = [];
  for (const d of desired) {
    const acc = (live.accounts[d.address.account] ??= liveAccount());
    const id = ids.get(addressKey(d.address))!;
    records.push(
      recorded(d, id, d.annotations[ANNOTATION_PREVENT_DESTROY] === 'true' ? { prevent_destroy: true } : {}),
    );
    switch (d.kind) {
      case 'SecondaryDnsTsig': {
        const t: CfTsig = { id, name: d.spec.name, algo: d.spec.algo, secret: secrets.get(addressKey(d.address))! };
        acc.tsigs.push(t);
        break;
      }
      case 'SecondaryDnsPeer': {
        const p: CfPeer = { id, name: d.spec.name, port: d.spec.port, ixfr_enable: d.spec.ixfr_enable };
        if (d.spec.ip !== undefined) p.ip = d.spec.ip;
        if (d.spec.tsig !== undefined) {
          p.tsig_id = ids.get(addressKey({ kind: 'SecondaryDnsTsig', account: d.address.account, name: d.spec.tsig }))!;
        } else if (d.spec.tsig_id !== undefined) p.tsig_id = d.spec.tsig_id;
        acc.peers.push(p);
        break;
      }
      case 'AccountToken': {
        const t: CfToken = {
          id,
          name: d.spec.name,
          status: d.spec.status ?? 'active',
          policies: d.spec.policies.map((p, i) => ({
            id: hexId(`${id}/policy/${i}`),
            effect: p.effect,
            permission_groups: p.permission_groups.map((sel) => {
              const g = resolveGroup(sel);
              return { id: g.id, name: g.name };
            }),
            resources: p.resources,
          })),
          issued_on: '2026-01-01T00:00:00Z',
        };
        if (d.spec.condition) t.condition = d.spec.condition;
        if (d.spec.expires_on !== undefined) t.expires_on = d.spec.expires_on;
        if (d.spec.not_before !== undefined) t.not_before = d.spec.not_before;
        acc.tokens.push(t);
        break;
      }
    }
  }
  const state = stateWith(records);
  state.applied_config = appliedConfigOf(config, '2026-01-01T00:00:00.000Z');
  return { state, live, ids };
}
