import { describe, expect, test } from 'vitest';
import type { GuardrailPolicy } from '../../../src/config/types.js';
import type { DesiredResource } from '../../../src/manifest/types.js';
import { cidrContains } from '../../../src/planner/net.js';
import { planChanges } from '../../../src/planner/plan-changes.js';
import { ACCOUNT, input, NOW, peer, PG, token } from './builders.js';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

function violations(desired: DesiredResource[], policy: GuardrailPolicy) {
  const { errors } = planChanges(input({ desired, config: { policy } }));
  return errors.map((e) => [e.code, e.location?.pointer]);
}

describe('checkPolicy (through planChanges)', () => {
  test.each([
    ['no expires_on', {}, [['E_POLICY_VIOLATION', '/spec']]],
    ['expires in 91 days', { expires_on: iso(NOW + 91 * DAY) }, [['E_POLICY_VIOLATION', '/spec/expires_on']]],
    ['expires in 90 days', { expires_on: iso(NOW + 90 * DAY) }, []],
  ])('GIVEN tokenMaxLifetimeDays 90 and a token with %s WHEN planning THEN %j', (_n, spec, expected) => {
    expect(violations([token('k', spec)], { tokenMaxLifetimeDays: 90 })).toEqual(expected);
  });

  test.each([
    ['by name', ['DNS Read']],
    ['by id', [PG.dnsRead]],
  ])(
    'GIVEN a forbidden permission group %s WHEN an allow policy holds it THEN a violation at the selector',
    (_n, list) => {
      expect(violations([token('k')], { forbiddenPermissionGroups: list })).toEqual([
        ['E_POLICY_VIOLATION', '/spec/policies/0/permission_groups/0'],
      ]);
    },
  );

  test('GIVEN a forbidden permission group WHEN only a deny policy holds it THEN no violation', () => {
    const k = token('k', {
      policies: [{ effect: 'deny', permission_groups: [{ name: 'Account API Tokens Write' }], resources: { x: '*' } }],
    });
    expect(violations([k], { forbiddenPermissionGroups: ['Account API Tokens Write'] })).toEqual([]);
  });

  const wildcard = { [`com.cloudflare.api.account.${ACCOUNT}`]: { 'com.cloudflare.api.account.zone.*': '*' } };
  test.each([
    ['nested wildcard, no condition', wildcard, undefined, [['E_POLICY_VIOLATION', '/spec/policies/0/resources']]],
    [
      'flat wildcard, no condition',
      { 'com.cloudflare.api.account.zone.*': '*' },
      undefined,
      [['E_POLICY_VIOLATION', '/spec/policies/0/resources']],
    ],
    ['wildcard with request_ip', wildcard, { request_ip: { in: ['192.0.2.0/24'] } }, []],
    ['explicit zone, no condition', { 'com.cloudflare.api.account.zone.abc': '*' }, undefined, []],
  ])('GIVEN wildcardNeedsIpCondition and %s WHEN planning THEN %j', (_n, resources, condition, expected) => {
    const k = token('k', {
      policies: [{ effect: 'allow', permission_groups: [{ name: 'DNS Read' }], resources }],
      ...(condition ? { condition } : {}),
    });
    expect(violations([k], { wildcardNeedsIpCondition: true })).toEqual(expected);
  });

  test.each([
    ['192.0.2.10', 53, []],
    ['198.51.100.1', 53, [['E_POLICY_VIOLATION', '/spec/ip']]],
    ['2001:db8::53', 53, []],
    ['192.0.2.10', 5353, [['E_POLICY_VIOLATION', '/spec/port']]],
  ])('GIVEN allowed peer networks and ports WHEN a peer is at %s port %s THEN %j', (ip, port, expected) => {
    const policy = { peerAllowedCidrs: ['192.0.2.0/24', '2001:db8::/32'], peerAllowedPorts: [53] };
    expect(violations([peer('p', { ip, port })], policy)).toEqual(expected);
  });

  test.each([
    ['10.0.0.0/8', '10.255.1.1', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '192.0.2.1', false],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['192.0.2.1', '192.0.2.1', true],
    ['bogus', '192.0.2.1', false],
  ])('cidrContains(%s, %s) is %s', (cidr, ip, expected) => {
    expect(cidrContains(cidr, ip)).toBe(expected);
  });
});
