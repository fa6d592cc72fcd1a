/**
 * Defect: a token whose policy gained one permission group showed two whole JSON arrays (~250 characters each).
 * Policies now diff as the groups, resources and CIDRs each policy gains or loses, one member per line.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { CfResources, CfToken } from '../../../src/cloudflare/types.js';
import { compareToken, tokenCreationDiff } from '../../../src/kinds/token/compare.js';
import { resourceItems, setChange, sortedMembers } from '../../../src/planner/diff-policies.js';
import { normalizeCidrSet } from '../../../src/planner/net.js';
import { PermissionCatalog } from '../../../src/planner/permission-catalog.js';
import { diffLines } from '../../../src/planner/render-common.js';
import { ACCOUNT, CATALOG, PG } from './builders.js';

const catalog = new PermissionCatalog(CATALOG);
const ZONES: CfResources = { 'com.cloudflare.api.account.zone.*': '*' };
const ACCT: CfResources = { [`com.cloudflare.api.account.${ACCOUNT}`]: '*' };

const policy = (ids: string[], resources: CfResources = ZONES, effect: 'allow' | 'deny' = 'allow') => ({
  effect,
  permission_groups: ids.map((id) => ({ id })),
  resources,
});

const live = (policies: ReturnType<typeof policy>[], extra: Partial<CfToken> = {}): CfToken => ({
  id: 't1',
  name: 'ci',
  status: 'active',
  policies,
  ...extra,
});

describe('token policy diffs', () => {
  test('GIVEN one permission group added to a policy WHEN compared THEN exactly that group, one line', () => {
    const diff = compareToken(
      { name: 'ci', policies: [policy([PG.dnsRead, PG.dnsWrite, PG.zoneRead])] },
      live([policy([PG.dnsRead, PG.zoneRead])]),
      catalog,
    );
    expect(diff).toEqual([{ path: '/policies/0/permission_groups', added: ['DNS Write'] }]);
    expect(diff.flatMap(diffLines)).toEqual(['+ /policies/0/permission_groups:', '+     DNS Write']);
  });

  test('GIVEN policies in another order and one of them changed WHEN compared THEN the change is on its manifest index', () => {
    const diff = compareToken(
      { name: 'ci', policies: [policy([PG.logsReadAccount], ACCT), policy([PG.dnsRead, PG.dnsWrite])] },
      live([policy([PG.dnsRead]), policy([PG.logsReadAccount], ACCT)]),
      catalog,
    );
    expect(diff).toEqual([{ path: '/policies/1/permission_groups', added: ['DNS Write'] }]);
  });

  test('GIVEN a resource swapped WHEN compared THEN the resource added and the one removed', () => {
    const diff = compareToken(
      { name: 'ci', policies: [policy([PG.dnsRead], ACCT)] },
      live([policy([PG.dnsRead])]),
      catalog,
    );
    expect(diff).toEqual([
      {
        path: '/policies/0/resources',
        added: [`com.cloudflare.api.account.${ACCOUNT}: *`],
        removed: ['com.cloudflare.api.account.zone.*: *'],
      },
    ]);
    expect(diffLines(diff[0]!)[0]).toBe('~ /policies/0/resources:');
  });

  test('GIVEN a nested account map WHEN one zone is added THEN only that zone, under its account', () => {
    const nested = (zones: string[]): CfResources => ({
      [`com.cloudflare.api.account.${ACCOUNT}`]: Object.fromEntries(
        zones.map((z) => [`com.cloudflare.api.account.zone.${z}`, '*']),
      ),
    });
    const [z1, z2] = ['a'.repeat(32), 'b'.repeat(32)];
    const diff = compareToken(
      { name: 'ci', policies: [policy([PG.dnsRead], nested([z1, z2]))] },
      live([policy([PG.dnsRead], nested([z1]))]),
      catalog,
    );
    expect(diff).toEqual([
      {
        path: '/policies/0/resources',
        added: [`com.cloudflare.api.account.${ACCOUNT} → com.cloudflare.api.account.zone.${z2}: *`],
      },
    ]);
  });

  test('GIVEN a policy added and another removed WHEN compared THEN each with all its members; the removed one numbered after the manifest', () => {
    const diff = compareToken(
      { name: 'ci', policies: [policy([PG.dnsRead]), policy([PG.zoneRead], ZONES, 'deny')] },
      live([policy([PG.dnsRead]), policy([PG.tokensWrite], ACCT)]),
      catalog,
    );
    expect(diff).toEqual([
      { path: '/policies/1/effect', after: 'deny' },
      { path: '/policies/1/permission_groups', added: ['Zone Read'] },
      { path: '/policies/1/resources', added: ['com.cloudflare.api.account.zone.*: *'] },
      { path: '/policies/2/effect', before: 'allow' },
      { path: '/policies/2/permission_groups', removed: ['Account API Tokens Write'] },
      { path: '/policies/2/resources', removed: [`com.cloudflare.api.account.${ACCOUNT}: *`] },
    ]);
  });

  test('GIVEN CIDRs changed WHEN compared THEN the CIDRs added and removed, normalised', () => {
    const diff = compareToken(
      {
        name: 'ci',
        policies: [policy([PG.dnsRead])],
        condition: { request_ip: { in: ['192.0.2.0/24', '10.0.0.0/8'] } },
      },
      live([policy([PG.dnsRead])], { condition: { request_ip: { in: ['10.0.0.0/8', '198.51.100.0/24'] } } }),
      catalog,
    );
    expect(diff).toEqual([{ path: '/condition/request_ip/in', added: ['192.0.2.0/24'], removed: ['198.51.100.0/24'] }]);
  });

  test('GIVEN a new token WHEN its creation diff is shown THEN no line is a JSON array', () => {
    const diff = tokenCreationDiff(
      {
        name: 'ci',
        policies: [policy([PG.dnsRead, PG.zoneRead])],
        condition: { request_ip: { in: ['192.0.2.0/24'] } },
      },
      catalog,
    );
    const lines = diff.flatMap(diffLines);
    expect(lines).toEqual([
      '+ /name: "ci"',
      '+ /policies/0/effect: "allow"',
      '+ /policies/0/permission_groups:',
      '+     DNS Read',
      '+     Zone Read',
      '+ /policies/0/resources:',
      '+     com.cloudflare.api.account.zone.*: *',
      '+ /status: "active"',
      '+ /condition/request_ip/in:',
      '+     192.0.2.0/24',
    ]);
  });

  test('GIVEN a new token with duplicate and unsorted members WHEN its creation diff is built THEN it equals the set diff against nothing', () => {
    const body = {
      name: 'ci',
      policies: [
        policy([PG.zoneRead, PG.dnsRead, PG.zoneRead]),
        policy([PG.dnsWrite], { ...ACCT, 'com.cloudflare.api.account.zone.*': '*' }, 'deny'),
      ],
      condition: { request_ip: { in: ['198.51.100.7/32', '192.0.2.0/24', '192.0.2.0/24'], not_in: [] } },
      expires_on: '2030-01-01T00:00:00Z',
    };
    const label = (ids: { id: string }[]) => ids.map((g) => catalog.label(g.id));
    // The general path, member by member: what a create's diff meant before it had its own.
    const expected = [
      { path: '/name', after: 'ci' },
      ...body.policies.flatMap((p, i) => [
        { path: `/policies/${i}/effect`, after: p.effect },
        ...setChange(`/policies/${i}/permission_groups`, [], label(p.permission_groups)),
        ...setChange(`/policies/${i}/resources`, [], resourceItems(p.resources)),
      ]),
      { path: '/status', after: 'active' },
      ...setChange('/condition/request_ip/in', [], normalizeCidrSet(body.condition.request_ip.in)),
      { path: '/expires_on', after: '2030-01-01T00:00:00Z' },
    ];
    const diff = tokenCreationDiff(body, catalog);
    expect(diff).toEqual(expected);
    expect(JSON.stringify(diff)).toBe(JSON.stringify(expected));
    expect(diff[2]).toEqual({ path: '/policies/0/permission_groups', added: ['DNS Read', 'Zone Read'] });
  });

  test('GIVEN any list of strings (duplicates, prefixes, non-ASCII, over 16 members) WHEN its members are sorted THEN it equals [...new Set(list)].sort()', () => {
    const member = fc.oneof(fc.constantFrom('a', 'ab', 'B', 'Zone Read', 'zone', 'é', '\u{1F600}', ''), fc.string());
    fc.assert(
      fc.property(fc.array(member, { maxLength: 40 }), (list) => {
        expect(sortedMembers(list)).toEqual([...new Set(list)].sort());
      }),
      { numRuns: 500 },
    );
  });
});
