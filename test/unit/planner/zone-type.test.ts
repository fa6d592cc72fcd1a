/**
 * Zone transfer links at the planner's edges. A zone transfer link the zone's type cannot take is refused at plan time (issue 15): Cloudflare is the secondary
 * of a `secondary` zone only, and never the primary of one. The observer reads a zone's details only for a link it
 * would create, so a no-change plan costs no extra call; an unreadable zone leaves the verdict to Cloudflare.
 */
import { describe, expect, test } from 'vitest';
import { observeLive, observeNeeds } from '../../../src/executor/observe.js';
import type { CfZone, CfZoneTransfer, CloudflareApi } from '../../../src/cloudflare/types.js';
import { planChanges } from '../../../src/planner/plan-changes.js';
import { emptyState } from '../../../src/state/types.js';
import { ACCOUNT, hexId, incoming, input, liveWith, outgoing, peer } from './builders.js';

const SECONDARY = hexId('secondary-zone');
const FULL = hexId('full-zone');
const NS1 = hexId('ns1');

function planWith(
  zoneDetails: Record<string, CfZone> | undefined,
  links: ReturnType<typeof incoming | typeof outgoing>[],
) {
  const desired = [peer('ns1'), ...links];
  const live = liveWith({ peers: [{ id: NS1, name: 'ns1-peer', ip: '192.0.2.10', port: 53, ixfr_enable: false }] });
  if (zoneDetails) live.accounts[ACCOUNT]!.zoneDetails = zoneDetails;
  return planChanges(input({ desired, live }));
}

const details = {
  [SECONDARY]: { id: SECONDARY, name: 'sec.example', type: 'secondary' },
  [FULL]: { id: FULL, name: 'full.example', type: 'full' },
};

describe('planner — zone types', () => {
  test('GIVEN an incoming link to a full zone and an outgoing one to a secondary zone WHEN planned THEN E_ZONE_TYPE for each, at spec.zone', () => {
    const { errors } = planWith(details, [incoming('in', FULL, ['ns1']), outgoing('out', SECONDARY, ['ns1'])]);
    expect(errors.map((e) => [e.code, e.location?.pointer])).toEqual([
      ['E_ZONE_TYPE', '/spec/zone'],
      ['E_ZONE_TYPE', '/spec/zone'],
    ]);
    expect(errors.map((e) => e.message).join('\n')).toContain('is a full zone');
  });

  test('GIVEN links that suit their zones, or zones whose type is unknown WHEN planned THEN they are created', () => {
    for (const known of [details, undefined]) {
      const { errors, plan } = planWith(known, [incoming('in', SECONDARY, ['ns1']), outgoing('out', FULL, ['ns1'])]);
      expect(errors).toEqual([]);
      expect(plan.steps.filter((s) => s.action === 'create').map((s) => s.address.kind)).toEqual([
        'SecondaryDnsIncoming',
        'SecondaryDnsOutgoing',
      ]);
    }
    // Unknown type of an unreadable zone: no verdict either way.
    const { errors } = planWith(undefined, [incoming('in', FULL, ['ns1'])]);
    expect(errors).toEqual([]);
  });
});

describe('observer — zone details', () => {
  function fakeApi(links: Record<string, CfZoneTransfer>) {
    const zoneReads: string[] = [];
    const api = {
      getZoneTransfer: (zone: string, dir: string) => Promise.resolve(links[`${dir}/${zone}`]),
      outgoingStatus: () => Promise.resolve('Enabled'),
      getZone: (zone: string) => {
        zoneReads.push(zone);
        return Promise.resolve(zone === FULL ? { id: zone, name: 'full.example', type: 'full' } : undefined);
      },
      listPeers: () => Promise.resolve([]),
    } as unknown as CloudflareApi;
    return { api, zoneReads };
  }

  test('GIVEN desired links, one already live WHEN observed THEN only the absent link’s zone is read, once', async () => {
    const desired = [incoming('in', SECONDARY, [NS1]), outgoing('out', FULL, [NS1])];
    const live: CfZoneTransfer = { id: SECONDARY, zone_id: SECONDARY, name: 'in.example.', peers: [NS1] };
    const { api, zoneReads } = fakeApi({ [`incoming/${SECONDARY}`]: live });
    const snapshot = await observeLive(api, observeNeeds(desired, emptyState('l')));
    expect(zoneReads).toEqual([FULL]);
    expect(snapshot.accounts[ACCOUNT]!.zoneDetails).toEqual({
      [FULL]: { id: FULL, name: 'full.example', type: 'full' },
    });
  });

  test('GIVEN every desired link live WHEN observed THEN no zone is read (a no-change plan costs nothing more)', async () => {
    const desired = [incoming('in', SECONDARY, [NS1])];
    const live: CfZoneTransfer = { id: SECONDARY, zone_id: SECONDARY, name: 'in.example.', peers: [NS1] };
    const { api, zoneReads } = fakeApi({ [`incoming/${SECONDARY}`]: live });
    const snapshot = await observeLive(api, observeNeeds(desired, emptyState('l')));
    expect(zoneReads).toEqual([]);
    expect(snapshot.accounts[ACCOUNT]!.zoneDetails).toBeUndefined();
  });
});

describe('an interrupted link create whose manifest is gone', () => {
  const intent = {
    id: 'intent-link',
    op: 'create' as const,
    kind: 'SecondaryDnsIncoming' as const,
    account: ACCOUNT,
    name: 'in',
    cf_name: 'in.example.',
    started_at: '2026-03-01T11:00:00Z',
    zone_id: SECONDARY,
  };

  test('GIVEN its intent names the zone WHEN observed THEN that zone’s link is read though nothing desired names it', () => {
    const state = emptyState('l');
    state.pending[intent.id] = intent;
    const needs = observeNeeds([], state);
    expect([...(needs.kinds.get(ACCOUNT) ?? [])]).toEqual(['SecondaryDnsIncoming']);
    expect([...(needs.zones?.values() ?? [])].map((z) => [...z])).toEqual([[SECONDARY]]);
  });

  test('GIVEN the link it created is live WHEN planned THEN the link is deleted and the intent resolved; gone: the intent is dropped', () => {
    const state = emptyState('l');
    state.pending[intent.id] = intent;
    const link: CfZoneTransfer = { id: SECONDARY, zone_id: SECONDARY, name: 'in.example.', peers: [NS1] };
    const created = planChanges(input({ state, live: liveWith({ incoming: [link] }) }));
    expect(created.plan.steps.map((s) => [s.action, s.targetId, s.resolvesIntent])).toEqual([
      ['delete', SECONDARY, 'intent-link'],
    ]);
    const none = planChanges(input({ state, live: liveWith({}) }));
    expect(none.plan.steps.map((s) => [s.action, s.resolvesIntent])).toEqual([['forget', 'intent-link']]);
  });
});
