import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { CfPeer, CfToken, CfTsig } from '../../../src/cloudflare/types.js';
import type { DesiredResource, TokenPolicySpec } from '../../../src/manifest/types.js';
import { defaultConfig } from '../../../src/config/types.js';
import { planChanges } from '../../../src/planner/plan-changes.js';
import { RESOURCE_KINDS } from '../../../src/kinds/registry.js';
import { Secret } from '../../../src/secret.js';
import type { Intent, RecordedResource } from '../../../src/state/types.js';
import {
  ACCOUNT,
  ACCOUNT_SCOPE,
  CATALOG,
  hexId,
  input,
  liveAccount,
  OTHER_ACCOUNT,
  peer,
  secretsFor,
  stateWith,
  token,
  tsig,
  ZONE_SCOPE,
} from './builders.js';
import { applied } from './world.js';

const accountArb = fc.constantFrom(ACCOUNT, OTHER_ACCOUNT);
const nameArb = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);

const selectorArb = fc.oneof(
  fc.constantFrom(
    { name: 'DNS Read' },
    { name: 'Zone Read', scope: ZONE_SCOPE },
    { name: 'Logs Read', scope: ACCOUNT_SCOPE },
  ),
  fc.constantFrom(...CATALOG.map((g) => ({ id: g.id }))),
);
const resourcesArb = fc.oneof(
  fc.dictionary(
    fc.constantFrom(
      'com.cloudflare.api.account.zone.*',
      `com.cloudflare.api.account.${ACCOUNT}`,
      'com.cloudflare.api.account.zone.abc',
    ),
    fc.constant('*'),
    { minKeys: 1 },
  ),
  fc.constant({ [`com.cloudflare.api.account.${ACCOUNT}`]: { 'com.cloudflare.api.account.zone.*': '*' } }),
);
const policyArb: fc.Arbitrary<TokenPolicySpec> = fc.record({
  effect: fc.constantFrom('allow' as const, 'deny' as const),
  permission_groups: fc.uniqueArray(selectorArb, { minLength: 1, maxLength: 3, selector: (s) => JSON.stringify(s) }),
  resources: resourcesArb,
});
const cidrArb = fc.oneof(
  fc
    .tuple(fc.integer({ min: 1, max: 223 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 8, max: 32 }))
    .map(([a, b, p]) => `${a}.${b}.0.0/${p}`),
  fc.constantFrom('2001:db8::/32', '2001:db8:0:1::/64', '::1/128'),
);
const instantArb = fc
  .integer({ min: Date.parse('2027-01-01T00:00:00Z') / 1000, max: Date.parse('2035-01-01T00:00:00Z') / 1000 })
  .map((s) => new Date(s * 1000).toISOString().replace('.000Z', 'Z'));

interface Shape {
  tsigs: { account: string; name: string }[];
  peers: { account: string; name: string; tsigIndex: number | null; ip: string; port: number; ixfr: boolean }[];
  tokens: {
    account: string;
    name: string;
    policies: TokenPolicySpec[];
    cond: { in: string[]; not_in: string[] } | null;
    expires: string | null;
    status: 'active' | 'disabled' | null;
  }[];
}

const shapeArb: fc.Arbitrary<Shape> = fc.record({
  tsigs: fc.uniqueArray(fc.record({ account: accountArb, name: nameArb }), {
    maxLength: 4,
    selector: (t) => t.account + t.name,
  }),
  peers: fc.uniqueArray(
    fc.record({
      account: accountArb,
      name: nameArb,
      tsigIndex: fc.option(fc.nat(3)),
      ip: fc.constantFrom('192.0.2.1', '2001:db8::53', '198.51.100.7'),
      port: fc.constantFrom(53, 5353),
      ixfr: fc.boolean(),
    }),
    { maxLength: 4, selector: (p) => p.account + p.name },
  ),
  tokens: fc.uniqueArray(
    fc.record({
      account: accountArb,
      name: nameArb,
      policies: fc.array(policyArb, { minLength: 1, maxLength: 3 }),
      cond: fc.option(
        fc.record({ in: fc.array(cidrArb, { maxLength: 3 }), not_in: fc.array(cidrArb, { maxLength: 2 }) }),
      ),
      expires: fc.option(instantArb),
      status: fc.option(fc.constantFrom('active' as const, 'disabled' as const)),
    }),
    { maxLength: 5, selector: (t) => t.account + t.name },
  ),
});

function desiredFrom(shape: Shape): DesiredResource[] {
  const tsigs = shape.tsigs.map((t) => tsig(t.name, {}, { account: t.account }));
  const peers = shape.peers.map((p) => {
    const target = p.tsigIndex === null ? undefined : shape.tsigs.filter((t) => t.account === p.account)[p.tsigIndex];
    return peer(
      p.name,
      { ip: p.ip, port: p.port, ixfr_enable: p.ixfr, ...(target ? { tsig: target.name } : {}) },
      { account: p.account },
    );
  });
  const tokens = shape.tokens.map((t) =>
    token(
      t.name,
      {
        policies: t.policies,
        ...(t.cond ? { condition: { request_ip: t.cond } } : {}),
        ...(t.expires ? { expires_on: t.expires } : {}),
        ...(t.status ? { status: t.status } : {}),
      },
      { account: t.account },
    ),
  );
  return [...tokens, ...peers, ...tsigs];
}

/** Rewrites a live token the way the API may echo it: other order, other spellings, same meaning. */
function reshapeToken(t: CfToken, seed: number): CfToken {
  const reshaped: CfToken = {
    ...t,
    policies: [...t.policies].reverse().map((p) => ({
      ...p,
      permission_groups: seed % 2 === 0 ? [...p.permission_groups].reverse() : p.permission_groups,
      resources: Object.fromEntries(Object.entries(p.resources).reverse()),
    })),
  };
  if (t.expires_on !== undefined) reshaped.expires_on = t.expires_on.replace('Z', '.000+00:00');
  const ip = t.condition?.request_ip;
  if (ip) {
    const expand = (l: string[] | undefined) =>
      l?.map((c) => c.replace('2001:db8::', '2001:DB8:0:0:0:0:0:0')).reverse();
    const list = { ...(ip.in ? { in: expand(ip.in) } : {}), ...(ip.not_in ? { not_in: expand(ip.not_in) } : {}) };
    reshaped.condition = (seed % 3 === 0 ? { 'request.ip': list } : { request_ip: list }) as NonNullable<
      CfToken['condition']
    >;
  }
  return reshaped;
}

describe('planChanges properties', () => {
  test('GIVEN any desired set WHEN planning against the world its apply left (any order, any API spelling) THEN every step is a no-op', () => {
    fc.assert(
      fc.property(shapeArb, fc.nat(), (shape, seed) => {
        const desired = desiredFrom(shape);
        const secrets = secretsFor(desired);
        const w = applied(desired, secrets);
        for (const acc of Object.values(w.live.accounts)) {
          acc.tokens = acc.tokens.map((t) => reshapeToken(t, seed)).reverse();
          acc.peers.reverse();
          acc.tsigs.reverse();
          acc.permissionGroups = [...acc.permissionGroups].reverse();
        }
        const shuffled = seed % 2 === 0 ? [...desired].reverse() : desired;
        const { plan, errors } = planChanges(input({ desired: shuffled, secrets, state: w.state, live: w.live }));
        expect(errors).toEqual([]);
        expect(plan.steps.filter((s) => s.action !== 'no-op')).toEqual([]);
        expect(plan.steps).toHaveLength(desired.length);
      }),
      { numRuns: 200 },
    );
  });

  test('GIVEN the same inputs in any order WHEN planning THEN the plan is identical', () => {
    fc.assert(
      fc.property(shapeArb, (shape) => {
        const desired = desiredFrom(shape);
        const secrets = secretsFor(desired);
        const a = planChanges(input({ desired, secrets }));
        const b = planChanges(input({ desired: [...desired].reverse(), secrets }));
        expect(JSON.stringify(b.plan)).toBe(JSON.stringify(a.plan));
      }),
      { numRuns: 50 },
    );
  });

  const idArb = fc.constantFrom(...['a', 'b', 'c', 'd'].map(hexId));
  const smallName = fc.constantFrom('x', 'y', 'z');
  const kindArb = fc.constantFrom(...RESOURCE_KINDS);
  const recordArb: fc.Arbitrary<RecordedResource> = fc.record(
    {
      kind: kindArb,
      account: accountArb,
      name: smallName,
      id: idArb,
      cf_name: smallName,
      created_at: fc.constant('2026-01-01T00:00:00.000Z'),
      updated_at: fc.constant('2026-01-01T00:00:00.000Z'),
      complete: fc.boolean(),
      value_status: fc.constantFrom('delivered' as const, 'undelivered' as const),
      prevent_destroy: fc.boolean(),
      sink: fc.record({ sink: fc.constantFrom('local', 'missing'), key: smallName }),
    },
    { requiredKeys: ['kind', 'account', 'name', 'id', 'cf_name', 'created_at', 'updated_at'] },
  );
  const intentArb: fc.Arbitrary<Intent> = fc.record({
    id: fc.constantFrom('i1', 'i2', 'i3'),
    op: fc.constantFrom('create' as const, 'roll' as const),
    kind: kindArb,
    account: accountArb,
    name: smallName,
    cf_name: smallName,
    started_at: fc.constantFrom('2026-01-01T00:00:00Z', 'garbage'),
  });
  const liveArb = fc.record({
    tsigs: fc.array(
      fc
        .record({ id: idArb, name: smallName, algo: fc.constant('hmac-sha256.') })
        .map((t): CfTsig => ({ ...t, secret: new Secret('tsig-secret-value-0000') })),
    ),
    peers: fc.array(
      fc.record(
        {
          id: idArb,
          name: smallName,
          ip: fc.constantFrom('192.0.2.1', 'not-an-ip', '::'),
          port: fc.option(fc.nat(70000), { nil: undefined }),
          tsig_id: fc.option(idArb, { nil: undefined }),
        },
        { requiredKeys: ['id', 'name'] },
      ),
    ) as fc.Arbitrary<CfPeer[]>,
    tokens: fc.array(
      fc.record({
        id: idArb,
        name: smallName,
        status: fc.constantFrom(
          'active' as const,
          'disabled' as const,
          'expired' as const,
          'revoked (exposed)' as const,
        ),
        policies: fc.constant<CfToken['policies']>([]),
        expires_on: fc.constantFrom('2020-01-01T00:00:00Z', '2099-01-01T00:00:00Z', 'soon'),
      }),
    ),
  });

  test('GIVEN arbitrary state, journal and live combinations WHEN planning THEN it never throws and steps stay unique per address', () => {
    fc.assert(
      fc.property(
        fc.array(recordArb, { maxLength: 8 }),
        fc.array(intentArb, { maxLength: 4 }),
        fc.option(liveArb, { nil: undefined }),
        fc.subarray(['t', 'p', 'k', 'ref'] as const),
        fc.record({ prune: fc.boolean(), allowMassDelete: fc.boolean() }),
        fc.constantFrom('roll' as const, 'recreate' as const),
        (records, intents, live, wanted, options, mode) => {
          const desired: DesiredResource[] = [];
          if (wanted.includes('t')) desired.push(tsig('x', { name: 'x' }));
          if (wanted.includes('p'))
            desired.push(peer('y', { name: 'y', ...(wanted.includes('ref') ? { tsig: 'x' } : {}) }));
          if (wanted.includes('k')) desired.push(token('z', { name: 'z' }));
          const state = stateWith(records, Object.fromEntries(intents.map((i) => [i.id, i])));
          const snapshot = { accounts: live ? { [ACCOUNT]: liveAccount(live) } : {} };
          const { plan, errors } = planChanges(
            input({
              desired,
              state,
              live: snapshot,
              options,
              config: { tokens: { ...defaultConfig().tokens, onExpired: mode, onRevoked: mode, onAdopt: 'roll' } },
            }),
          );
          const ids = plan.steps.map((s) => s.id);
          expect(new Set(ids).size).toBe(ids.length);
          for (const e of errors) expect(e.code).not.toBe('E_INTERNAL');
          for (const s of plan.steps) for (const dep of s.dependsOn) expect(ids).toContain(dep);
        },
      ),
      { numRuns: 500 },
    );
  });
});
