import { describe, expect, test } from 'vitest';
import type { CfToken } from '../../../src/cloudflare/types.js';
import type { DesiredResource } from '../../../src/manifest/types.js';
import { planChanges } from '../../../src/planner/plan-changes.js';
import type { PlanInput } from '../../../src/planner/plan-changes.js';
import { addressKey } from '../../../src/resources.js';
import { Secret, SENSITIVE } from '../../../src/secret.js';
import type { Intent } from '../../../src/state/types.js';
import {
  ACCOUNT,
  hexId,
  input,
  liveWith,
  NOW,
  OTHER_ACCOUNT,
  PG,
  peer,
  secretsFor,
  stateWith,
  token,
  tsig,
  ZONE_SCOPE,
} from './builders.js';
import { applied } from './world.js';

function plan(i: PlanInput) {
  const r = planChanges(i);
  return { ...r, steps: r.plan.steps, actions: r.plan.steps.map((s) => `${s.action} ${addressKey(s.address)}`) };
}

/** Plans `desired` against the world an apply of `before` left, after `mutate` changed that world. */
function planAgainstApplied(
  desired: DesiredResource[],
  mutate: (w: ReturnType<typeof applied>) => void = () => undefined,
  extra: Parameters<typeof input>[0] = {},
) {
  const secrets = secretsFor(desired);
  const w = applied(desired, secrets);
  mutate(w);
  return plan(input({ desired, secrets, state: w.state, live: w.live, ...extra }));
}

const liveToken = (w: ReturnType<typeof applied>, i = 0): CfToken => w.live.accounts[ACCOUNT]!.tokens[i]!;

describe('planChanges — creates and order', () => {
  test('GIVEN an empty state and account WHEN planning a TSIG, a peer using it and a token THEN all are created, TSIG first, peer depends on it', () => {
    const t = tsig('axfr');
    const p = peer('ns1', { tsig: 'axfr' });
    const k = token('ci');
    const { steps, errors, plan: pl } = plan(input({ desired: [k, p, t] }));
    expect(errors).toEqual([]);
    expect(steps.map((s) => s.id)).toEqual([
      `create:${addressKey(t.address)}`,
      `create:${addressKey(p.address)}`,
      `create:${addressKey(k.address)}`,
    ]);
    expect(steps[1]!.body).toEqual({
      kind: 'SecondaryDnsPeer',
      name: 'ns1-peer',
      ip: '192.0.2.10',
      port: 53,
      ixfr_enable: false,
      tsig_ref: addressKey(t.address),
    });
    expect(steps[1]!.dependsOn).toEqual([steps[0]!.id]);
    expect(steps[0]!.body).toEqual({ kind: 'SecondaryDnsTsig', name: 'axfr.example.com.', algo: 'hmac-sha512.' });
    expect(steps[0]!.diff).toContainEqual({ path: '/secret', after: SENSITIVE, sensitive: true });
    expect(steps[2]!.sink).toEqual({ sink: 'local', key: 'ci' });
    expect(steps[2]!.body).toEqual({
      kind: 'AccountToken',
      body: {
        name: 'ci-token',
        status: 'active',
        policies: [
          {
            effect: 'allow',
            permission_groups: [{ id: PG.dnsRead }, { id: PG.zoneRead }],
            resources: { [`com.cloudflare.api.account.${ACCOUNT}`]: '*' },
          },
        ],
      },
    });
    expect(pl.summary.total.create).toBe(3);
    expect(pl.summary.hasChanges).toBe(true);
    expect(pl.state).toEqual({ lineage: 'lineage-1', serial: 7 });
    expect(pl.created_at).toBe(new Date(NOW).toISOString());
  });

  test('GIVEN resources in two accounts WHEN planning THEN order is kind, then account, then name', () => {
    const desired = [
      token('b', {}, { account: OTHER_ACCOUNT }),
      token('a', {}, { account: OTHER_ACCOUNT }),
      token('z'),
      peer('p'),
      tsig('t', {}, { account: OTHER_ACCOUNT }),
    ];
    const live = { accounts: { ...liveWith().accounts, ...liveWith({}, OTHER_ACCOUNT).accounts } };
    const { actions } = plan(input({ desired, live }));
    expect(actions).toEqual([
      `create SecondaryDnsTsig/${OTHER_ACCOUNT}/t`,
      `create SecondaryDnsPeer/${ACCOUNT}/p`,
      `create AccountToken/${ACCOUNT}/z`,
      `create AccountToken/${OTHER_ACCOUNT}/a`,
      `create AccountToken/${OTHER_ACCOUNT}/b`,
    ]);
  });

  test('GIVEN a token with a custom sink and key WHEN planning THEN the step names that sink', () => {
    const k = token('ci', { secret: { sink: 'vault', key: 'CF_TOKEN' } });
    const { steps, errors } = plan(
      input({ desired: [k], config: { sinks: { vault: { type: 'exec', command: ['x'], timeoutSeconds: 5 } } } }),
    );
    expect(errors).toEqual([]);
    expect(steps[0]!.sink).toEqual({ sink: 'vault', key: 'CF_TOKEN' });
  });

  test('GIVEN a token naming an unconfigured sink WHEN planning THEN E_SINK_UNKNOWN at /spec/secret/sink', () => {
    const k = token('ci', { secret: { sink: 'nope' } });
    const { errors } = plan(input({ desired: [k] }));
    expect(errors.map((e) => [e.code, e.location?.pointer])).toEqual([['E_SINK_UNKNOWN', '/spec/secret/sink']]);
  });
});

describe('planChanges — recorded resources', () => {
  test('GIVEN the world right after an apply WHEN planning again THEN every step is a no-op', () => {
    const desired = [tsig('t'), peer('p', { tsig: 't' }), peer('q', { tsig_id: hexId('unmanaged') }), token('k')];
    const { steps, errors, plan: pl } = planAgainstApplied(desired);
    expect(errors).toEqual([]);
    expect(steps.map((s) => s.action)).toEqual(['no-op', 'no-op', 'no-op', 'no-op']);
    expect(pl.summary.hasChanges).toBe(false);
  });

  test.each([
    [
      'peer ip',
      peer('p'),
      (w: ReturnType<typeof applied>) => (w.live.accounts[ACCOUNT]!.peers[0]!.ip = '192.0.2.99'),
      ['/ip'],
    ],
    [
      'peer port',
      peer('p'),
      (w: ReturnType<typeof applied>) => (w.live.accounts[ACCOUNT]!.peers[0]!.port = 5353),
      ['/port'],
    ],
    [
      'peer ixfr',
      peer('p'),
      (w: ReturnType<typeof applied>) => (w.live.accounts[ACCOUNT]!.peers[0]!.ixfr_enable = true),
      ['/ixfr_enable'],
    ],
    [
      'tsig algo',
      tsig('t'),
      (w: ReturnType<typeof applied>) => (w.live.accounts[ACCOUNT]!.tsigs[0]!.algo = 'hmac-md5.'),
      ['/algo'],
    ],
    [
      'tsig secret',
      tsig('t'),
      (w: ReturnType<typeof applied>) =>
        (w.live.accounts[ACCOUNT]!.tsigs[0]!.secret = new Secret('another-secret-value-123')),
      ['/secret'],
    ],
    ['token name', token('k'), (w: ReturnType<typeof applied>) => (liveToken(w).name = 'renamed'), ['/name']],
    ['token status', token('k'), (w: ReturnType<typeof applied>) => (liveToken(w).status = 'disabled'), ['/status']],
    [
      'token policy group',
      token('k'),
      (w: ReturnType<typeof applied>) => (liveToken(w).policies[0]!.permission_groups = [{ id: PG.dnsWrite }]),
      ['/policies/0/permission_groups'],
    ],
    [
      'token condition',
      token('k'),
      (w: ReturnType<typeof applied>) => (liveToken(w).condition = { request_ip: { in: ['10.0.0.0/8'] } }),
      ['/condition/request_ip/in'],
    ],
    [
      'token expiry',
      token('k', { expires_on: '2027-01-01T00:00:00Z' }),
      (w: ReturnType<typeof applied>) => (liveToken(w).expires_on = '2027-06-01T00:00:00Z'),
      ['/expires_on'],
    ],
  ])('GIVEN %s changed out of band WHEN planning THEN update with exactly that diff', (_n, d, mutate, paths) => {
    const { steps, errors } = planAgainstApplied([d], mutate);
    expect(errors).toEqual([]);
    expect(steps.map((s) => s.action)).toEqual(['update']);
    expect(steps[0]!.diff.map((c) => c.path)).toEqual(paths);
    expect(steps[0]!.targetId).toBe(hexId(addressKey(d.address)));
    expect(steps[0]!.body).toBeDefined();
    expect(steps[0]!.source).toEqual(d.source);
  });

  test('GIVEN a TSIG secret differs WHEN planning THEN the diff masks both sides', () => {
    const t = tsig('t');
    const { steps } = planAgainstApplied(
      [t],
      (w) => (w.live.accounts[ACCOUNT]!.tsigs[0]!.secret = new Secret('x'.repeat(30))),
    );
    expect(steps[0]!.diff).toEqual([{ path: '/secret', before: SENSITIVE, after: SENSITIVE, sensitive: true }]);
  });

  test.each([
    [
      'policies reversed and groups reordered',
      (t: CfToken) => {
        t.policies = [...t.policies]
          .reverse()
          .map((p) => ({ ...p, permission_groups: [...p.permission_groups].reverse() }));
      },
    ],
    [
      'resources key order',
      (t: CfToken) => {
        t.policies = t.policies.map((p) => ({
          ...p,
          resources: Object.fromEntries(Object.entries(p.resources).reverse()),
        }));
      },
    ],
    [
      'condition spelled request.ip with other CIDR spelling',
      (t: CfToken) => {
        t.condition = { 'request.ip': { in: ['10.1.2.3/8', '2001:DB8:0:0::/32'], not_in: [] } } as never;
      },
    ],
    [
      'timestamps as other RFC 3339 variants',
      (t: CfToken) => {
        t.expires_on = '2027-01-01T01:00:00.000+01:00';
        t.not_before = '2026-01-01t00:00:00z';
      },
    ],
  ])('GIVEN live token differs only in form (%s) WHEN planning THEN no-op', (_n, mutate) => {
    const k = token('k', {
      policies: [
        {
          effect: 'allow',
          permission_groups: [{ name: 'DNS Read' }, { name: 'Zone Read' }],
          resources: { 'com.cloudflare.api.account.zone.aaa': '*', 'com.cloudflare.api.account.zone.bbb': '*' },
        },
        {
          effect: 'deny',
          permission_groups: [{ id: PG.dnsWrite }],
          resources: { [`com.cloudflare.api.account.${ACCOUNT}`]: { 'com.cloudflare.api.account.zone.*': '*' } },
        },
      ],
      condition: { request_ip: { in: ['2001:db8::/32', '10.0.0.0/8'] } },
      expires_on: '2027-01-01T00:00:00Z',
      not_before: '2026-01-01T00:00:00Z',
    });
    const { steps, errors } = planAgainstApplied([k], (w) => {
      mutate(liveToken(w));
    });
    expect(errors).toEqual([]);
    expect(steps.map((s) => s.action)).toEqual(['no-op']);
  });

  test.each([
    ['port absent means 53', { port: undefined }],
    ['ixfr absent means false', { ixfr_enable: undefined }],
    ['IPv6 in another spelling', { ip: '2001:DB8:0:0:0:0:0:1' }],
  ])('GIVEN live peer differs only in form (%s) WHEN planning THEN no-op', (_n, patch) => {
    const p = peer('p', { ip: '2001:db8::1' });
    const { steps } = planAgainstApplied([p], (w) => {
      const lp = w.live.accounts[ACCOUNT]!.peers[0]!;
      Object.assign(lp, patch);
      for (const [k, v] of Object.entries(patch))
        if (v === undefined) delete (lp as unknown as Record<string, unknown>)[k];
    });
    expect(steps.map((s) => s.action)).toEqual(['no-op']);
  });

  test('GIVEN recorded resources deleted out of band WHEN planning THEN they are re-created, the peer pointing at the new TSIG', () => {
    const t = tsig('t');
    const p = peer('p', { tsig: 't' });
    const { steps } = planAgainstApplied([t, p], (w) => {
      w.live.accounts[ACCOUNT]!.tsigs = [];
    });
    expect(steps.map((s) => s.action)).toEqual(['create', 'update']);
    expect(steps[0]!.reason).toMatch(/out of band/);
    expect(steps[1]!.diff.map((c) => c.path)).toEqual(['/tsig_id']);
    expect(steps[1]!.body).toMatchObject({ tsig_ref: addressKey(t.address) });
    expect(steps[1]!.dependsOn).toEqual([steps[0]!.id]);
  });

  test('GIVEN a peer recorded with complete: false WHEN planning THEN update (finish the PUT) even though nothing differs', () => {
    const p = peer('p');
    const { steps } = planAgainstApplied([p], (w) => {
      w.state.resources[addressKey(p.address)]!.complete = false;
    });
    expect(steps.map((s) => s.action)).toEqual(['update']);
    expect(steps[0]!.body).toMatchObject({ kind: 'SecondaryDnsPeer', ip: '192.0.2.10', port: 53 });
  });
});

describe('planChanges — tokens needing a new value', () => {
  const tokens = (mode: 'roll' | 'recreate') => ({
    config: {
      ...input().config,
      tokens: { ...input().config.tokens, onExpired: mode, onRevoked: mode, onAdopt: 'roll' as const },
    },
  });

  test.each([
    // An expired token's PUT carries the manifest's status and expiry, which revives it; then its value is rolled.
    ['expired', 'roll', 'update'],
    ['expired', 'recreate', 'replace'],
    // A leaked id is never rolled, whatever tokens.onRevoked says.
    ['revoked (exposed)', 'roll', 'replace-exposed'],
    ['revoked (exposed)', 'recreate', 'replace-exposed'],
  ] as const)('GIVEN a token %s and policy %s WHEN planning THEN %s', (status, mode, action) => {
    const k = token('k');
    const { steps, errors } = planAgainstApplied([k], (w) => (liveToken(w).status = status), tokens(mode));
    expect(errors).toEqual([]);
    expect(steps.map((s) => s.action)).toEqual([action]);
    expect(steps[0]!.rollValue).toBe(true);
    expect(steps[0]!.sink).toEqual({ sink: 'local', key: 'k' });
    if (status === 'revoked (exposed)') expect(steps[0]!.reason).toMatch(/^SECURITY: .*exposed/);
    if (mode === 'roll' && status === 'revoked (exposed)') expect(steps[0]!.reason).toMatch(/never rolled/);
  });

  test('GIVEN a token past the expires_on its manifest declares WHEN planning THEN no-op and W_TOKEN_EXPIRED saying how to renew', () => {
    const k = token('k', { expires_on: '2026-02-01T00:00:00Z' });
    for (const mode of ['roll', 'recreate'] as const) {
      const r = planAgainstApplied([k], () => undefined, tokens(mode));
      expect(r.errors).toEqual([]);
      expect(r.steps.map((s) => s.action)).toEqual(['no-op']);
      expect(r.plan.summary.hasChanges).toBe(false);
      expect(r.plan.warnings.map((w) => w.code)).toEqual(['W_TOKEN_EXPIRED']);
      expect(r.plan.warnings[0]!.message).toMatch(/expires_on is moved later/);
    }
  });

  test.each([
    ['roll', 'update'],
    ['recreate', 'replace'],
  ] as const)(
    'GIVEN an expired token whose manifest moved expires_on later WHEN planning with onExpired %s THEN %s',
    (mode, action) => {
      const k = token('k', { expires_on: '2026-02-01T00:00:00Z' });
      const renewed = token('k', { expires_on: '2027-02-01T00:00:00Z' });
      const secrets = secretsFor([k]);
      const w = applied([k], secrets);
      const r = plan(input({ desired: [renewed], secrets, state: w.state, live: w.live, ...tokens(mode) }));
      expect(r.errors).toEqual([]);
      expect(r.steps.map((s) => [s.action, s.rollValue])).toEqual([[action, true]]);
      expect(r.steps[0]!.body).toMatchObject({ body: { expires_on: '2027-02-01T00:00:00Z' } });
    },
  );

  test('GIVEN a token expiring within 7 days WHEN planning THEN in sync with W_TOKEN_EXPIRING', () => {
    const k = token('k', { expires_on: '2026-03-05T00:00:00Z' });
    const r = planAgainstApplied([k]);
    expect(r.steps.map((s) => s.action)).toEqual(['no-op']);
    expect(r.plan.warnings.map((w) => [w.code, /in 3 day/.test(w.message)])).toEqual([['W_TOKEN_EXPIRING', true]]);
  });

  test('GIVEN a declared token already past its expires_on and not live WHEN planning THEN nothing is created', () => {
    const k = token('k', { expires_on: '2026-02-01T00:00:00Z' });
    const fresh = plan(input({ desired: [k] }));
    expect(fresh.errors).toEqual([]);
    expect(fresh.steps).toEqual([]);
    expect(fresh.plan.warnings.map((w) => w.code)).toEqual(['W_TOKEN_EXPIRED']);
    const gone = planAgainstApplied([k], (w) => (w.live.accounts[ACCOUNT]!.tokens = []));
    expect(gone.steps.map((s) => s.action)).toEqual(['forget']);
  });

  test('GIVEN a disabled token recorded complete: false WHEN planning THEN update (the status PUT) that also rolls', () => {
    const k = token('k', { status: 'disabled' });
    const { steps } = planAgainstApplied([k], (w) => {
      Object.assign(w.state.resources[addressKey(k.address)]!, { complete: false, value_status: 'undelivered' });
      liveToken(w).status = 'active';
    });
    expect(steps.map((s) => [s.action, s.rollValue])).toEqual([['update', true]]);
    expect(steps[0]!.reason).toMatch(/^finish create/);
    expect(steps[0]!.diff).toEqual([{ path: '/status', before: 'active', after: 'disabled' }]);
  });

  test('GIVEN a disabled token recorded complete: false whose PUT did land WHEN planning THEN still an update (clears the record)', () => {
    const k = token('k', { status: 'disabled' });
    const { steps } = planAgainstApplied([k], (w) => {
      w.state.resources[addressKey(k.address)]!.complete = false;
    });
    expect(steps.map((s) => s.action)).toEqual(['update']);
  });

  test('GIVEN value_status undelivered WHEN planning THEN roll-secret because the value never reached its sink', () => {
    const k = token('k');
    const { steps } = planAgainstApplied([k], (w) => {
      w.state.resources[addressKey(k.address)]!.value_status = 'undelivered';
    });
    expect(steps.map((s) => s.action)).toEqual(['roll-secret']);
    expect(steps[0]!.reason).toMatch(/sink/);
  });

  test('GIVEN undelivered value AND drift WHEN planning THEN one update that also rolls', () => {
    const k = token('k');
    const { steps } = planAgainstApplied([k], (w) => {
      w.state.resources[addressKey(k.address)]!.value_status = 'undelivered';
      liveToken(w).name = 'other';
    });
    expect(steps.map((s) => [s.action, s.rollValue])).toEqual([['update', true]]);
  });

  test('GIVEN the desired sink changed WHEN planning THEN roll-secret delivers a new value to the new sink', () => {
    const k = token('k', { secret: { key: 'NEW_KEY' } });
    const { steps } = planAgainstApplied([k], (w) => {
      w.state.resources[addressKey(k.address)]!.sink = { sink: 'local', key: 'OLD_KEY' };
    });
    expect(steps.map((s) => s.action)).toEqual(['roll-secret']);
    expect(steps[0]!.sink).toEqual({ sink: 'local', key: 'NEW_KEY' });
  });
});

describe('planChanges — adoption', () => {
  test.each([
    ['TSIG', tsig('t'), 'tsigs', { id: hexId('u'), name: 't.example.com.', algo: 'hmac-sha512.' }],
    ['peer', peer('p'), 'peers', { id: hexId('u'), name: 'p-peer', ip: '192.0.2.10', port: 53 }],
  ] as const)(
    'GIVEN one unmanaged live %s with the desired name WHEN planning THEN adopt without update',
    (_n, d, list, live) => {
      const secrets = secretsFor([d]);
      const liveRes = list === 'tsigs' ? { ...live, secret: secrets.values().next().value! } : live;
      const { steps, errors } = plan(input({ desired: [d], secrets, live: liveWith({ [list]: [liveRes] }) }));
      expect(errors).toEqual([]);
      expect(steps.map((s) => [s.action, s.targetId, s.diff])).toEqual([['adopt', hexId('u'), []]]);
    },
  );

  test('GIVEN an unmanaged token with the desired name WHEN planning THEN adopt, update its policies, and roll its value', () => {
    const k = token('k');
    const live: CfToken = { id: hexId('u'), name: 'k-token', status: 'active', policies: [] };
    const { steps } = plan(input({ desired: [k], live: liveWith({ tokens: [live] }) }));
    expect(steps.map((s) => [s.action, s.rollValue])).toEqual([['adopt', true]]);
    expect(steps[0]!.diff.map((c) => c.path)).toEqual([
      '/policies/0/effect',
      '/policies/0/permission_groups',
      '/policies/0/resources',
    ]);
  });

  test('GIVEN two unmanaged tokens with the desired name WHEN planning THEN E_ADOPT_AMBIGUOUS at /spec/name', () => {
    const k = token('k');
    const live: CfToken[] = [1, 2].map((i) => ({
      id: hexId(`u${i}`),
      name: 'k-token',
      status: 'active',
      policies: [],
    }));
    const { errors } = plan(input({ desired: [k], live: liveWith({ tokens: live }) }));
    expect(errors.map((e) => [e.code, e.location])).toEqual([['E_ADOPT_AMBIGUOUS', k.locate('/spec/name')]]);
  });

  test('GIVEN a live token with the desired name that state records for another address WHEN planning THEN create, not adopt', () => {
    const other = token('other', { name: 'k-token' });
    const k = token('k');
    const secrets = secretsFor([]);
    const w = applied([other], secrets);
    const { actions } = plan(input({ desired: [k], state: w.state, live: w.live }));
    expect(actions).toEqual([`create ${addressKey(k.address)}`]);
  });

  test('GIVEN an adopted TSIG WHEN a peer uses it THEN the peer body gets its id and depends on the adoption', () => {
    const t = tsig('t');
    const p = peer('p', { tsig: 't' });
    const secrets = secretsFor([t]);
    const liveTsig = {
      id: hexId('ut'),
      name: 't.example.com.',
      algo: 'hmac-sha512.',
      secret: secrets.values().next().value!,
    };
    const { steps } = plan(input({ desired: [t, p], secrets, live: liveWith({ tsigs: [liveTsig] }) }));
    expect(steps.map((s) => s.action)).toEqual(['adopt', 'create']);
    expect(steps[1]!.body).toMatchObject({ tsig_id: hexId('ut') });
    expect(steps[1]!.dependsOn).toEqual([steps[0]!.id]);
  });
});

describe('planChanges — pending intents of a crashed run', () => {
  const intent = (d: DesiredResource, op: Intent['op'], extra: Partial<Intent> = {}): Intent => ({
    id: `intent-${d.address.name}-${op}`,
    op,
    kind: d.kind,
    account: d.address.account,
    name: d.address.name,
    cf_name: d.spec.name,
    started_at: '2026-02-28T00:00:00.000Z',
    ...extra,
  });

  test('GIVEN a create intent whose token did land WHEN planning THEN adopt it, roll its value, resolve the intent', () => {
    const k = token('k');
    const secrets = secretsFor([k]);
    const w = applied([k], secrets);
    const state = stateWith([], { i1: intent(k, 'create', { id: 'i1' }) });
    const { steps } = plan(input({ desired: [k], state, live: w.live }));
    expect(steps.map((s) => [s.action, s.resolvesIntent, s.rollValue, s.diff.length])).toEqual([
      ['adopt', 'i1', true, 0],
    ]);
  });

  test('GIVEN a create intent whose resource never landed WHEN planning THEN create, resolving the intent', () => {
    const p = peer('p');
    const state = stateWith([], { i1: intent(p, 'create', { id: 'i1' }) });
    const { steps } = plan(input({ desired: [p], state }));
    expect(steps.map((s) => [s.action, s.resolvesIntent])).toEqual([['create', 'i1']]);
  });

  test.each([
    ['landed', true, 'delete'],
    ['never landed', false, 'forget'],
  ])(
    'GIVEN a create intent for a resource no longer desired that %s WHEN planning THEN %s it',
    (_n, landed, action) => {
      const p = peer('gone');
      const w = applied(landed ? [p] : [], new Map());
      const state = stateWith([], { i1: intent(p, 'create', { id: 'i1' }) });
      const { steps, errors } = plan(input({ desired: [], state, live: w.live }));
      expect(errors).toEqual([]);
      expect(steps.map((s) => [s.action, s.resolvesIntent])).toEqual([[action, 'i1']]);
    },
  );

  test('GIVEN a roll intent for a recorded token WHEN planning THEN roll-secret resolving it', () => {
    const k = token('k');
    const { steps } = planAgainstApplied([k], (w) => {
      w.state.pending = { r1: intent(k, 'roll', { id: 'r1', resource_id: hexId(addressKey(k.address)) }) };
    });
    expect(steps.map((s) => [s.action, s.resolvesIntent])).toEqual([['roll-secret', 'r1']]);
  });
});

describe('planChanges — deletes', () => {
  const t = tsig('t');
  const p = peer('p', { tsig: 't' });
  const others = [token('a'), token('b'), token('c'), token('d'), token('e')];

  test('GIVEN recorded resources removed from manifests WHEN planning without prune THEN warnings and no steps', () => {
    const { steps, plan: pl } = planAgainstApplied([t, p, ...others], () => undefined);
    expect(steps.every((s) => s.action === 'no-op')).toBe(true);
    const secrets = secretsFor([t]);
    const w = applied([t, p, ...others], secrets);
    const r = plan(input({ desired: others, secrets, state: w.state, live: w.live }));
    expect(r.steps.map((s) => s.action)).toEqual(Array(5).fill('no-op'));
    expect(r.plan.warnings.map((x) => x.code)).toEqual(['W_NOT_IN_MANIFESTS', 'W_NOT_IN_MANIFESTS']);
    expect(pl.warnings).toEqual([]);
  });

  test('GIVEN prune WHEN a TSIG and its peer are removed THEN the peer is deleted first and the TSIG delete depends on it', () => {
    const secrets = secretsFor([t]);
    const w = applied([t, p, ...others], secrets);
    const r = plan(
      input({
        desired: others,
        secrets,
        state: w.state,
        live: w.live,
        options: { prune: true, allowMassDelete: false },
      }),
    );
    expect(r.errors).toEqual([]);
    const deletes = r.steps.filter((s) => s.action === 'delete');
    expect(deletes.map((s) => s.address.kind)).toEqual(['SecondaryDnsPeer', 'SecondaryDnsTsig']);
    expect(deletes[1]!.dependsOn).toEqual([deletes[0]!.id]);
    expect(r.steps.slice(-2)).toEqual(deletes);
  });

  test('GIVEN a recorded resource gone live and removed from manifests WHEN planning THEN forget, even without prune', () => {
    const secrets = secretsFor([t]);
    const w = applied([t], secrets);
    w.live.accounts[ACCOUNT]!.tsigs = [];
    const r = plan(input({ desired: [], secrets, state: w.state, live: w.live }));
    expect(r.steps.map((s) => s.action)).toEqual(['forget']);
  });

  test('GIVEN prevent_destroy recorded WHEN pruning it THEN E_PREVENT_DESTROY', () => {
    const guarded = token('g', {}, { annotations: { 'cfgitops.dev/prevent-destroy': 'true' } });
    const w = applied([guarded, ...others], new Map());
    const r = plan(
      input({ desired: others, state: w.state, live: w.live, options: { prune: true, allowMassDelete: false } }),
    );
    expect(r.errors.map((e) => e.code)).toEqual(['E_PREVENT_DESTROY']);
  });

  test.each([
    ['revoked (exposed)', 'replace-exposed'],
    ['expired', 'replace'],
  ] as const)(
    'GIVEN a prevent-destroy token %s WHEN planning THEN a held step asking for the decision, no error',
    (status, waiting) => {
      const guarded = token('g', {}, { annotations: { 'cfgitops.dev/prevent-destroy': 'true' } });
      const r = planAgainstApplied([guarded, ...others], (w) => (liveToken(w).status = status));
      expect(r.errors).toEqual([]);
      const held = r.steps.find((s) => s.address.name === 'g')!;
      expect(held.action).toBe('held');
      expect(held.body).toBeUndefined();
      expect(held.decision?.action).toBe(waiting);
      expect(held.decision?.how.join('\n')).toContain(`cfgitops.dev/approve-replace: "${held.targetId}"`);
      expect(held.decision?.how.join('\n')).toMatch(/remove cfgitops.dev\/prevent-destroy/);
    },
  );

  test('GIVEN a held exposed token WHEN approve-replace names its id THEN replace-exposed goes ahead', () => {
    const guarded = token('g', {}, { annotations: { 'cfgitops.dev/prevent-destroy': 'true' } });
    const approved = token(
      'g',
      {},
      {
        annotations: {
          'cfgitops.dev/prevent-destroy': 'true',
          'cfgitops.dev/approve-replace': hexId(addressKey(guarded.address)),
        },
      },
    );
    const secrets = secretsFor([guarded]);
    const w = applied([guarded], secrets);
    liveToken(w).status = 'revoked (exposed)';
    const r = plan(input({ desired: [approved], secrets, state: w.state, live: w.live }));
    expect(r.errors).toEqual([]);
    expect(r.steps.map((s) => s.action)).toEqual(['replace-exposed']);
    expect(r.steps[0]!.reason).toMatch(/approved by cfgitops.dev\/approve-replace/);
    const stale = token(
      'g',
      {},
      {
        annotations: { 'cfgitops.dev/prevent-destroy': 'true', 'cfgitops.dev/approve-replace': hexId('another') },
      },
    );
    expect(plan(input({ desired: [stale], secrets, state: w.state, live: w.live })).steps[0]!.action).toBe('held');
  });

  test('GIVEN prevent_destroy recorded in state WHEN the manifest drops the annotation THEN the plan has a change: record it', () => {
    const guarded = token('g', {}, { annotations: { 'cfgitops.dev/prevent-destroy': 'true' } });
    const secrets = secretsFor([guarded]);
    const w = applied([guarded], secrets);
    const r = plan(input({ desired: [token('g')], secrets, state: w.state, live: w.live }));
    expect(r.steps.map((s) => [s.action, s.recordsAnnotations])).toEqual([['no-op', true]]);
    expect(r.plan.summary).toMatchObject({ annotationsToRecord: 1, hasChanges: true });
    const same = plan(input({ desired: [guarded], secrets, state: w.state, live: w.live }));
    expect(same.plan.summary.hasChanges).toBe(false);
  });

  test('GIVEN prevent_destroy recorded in state WHEN the manifest no longer carries the annotation THEN the replacement goes ahead', () => {
    const guarded = token('g', {}, { annotations: { 'cfgitops.dev/prevent-destroy': 'true' } });
    const unguarded = token('g');
    const secrets = secretsFor([guarded]);
    const w = applied([guarded], secrets);
    expect(w.state.resources[addressKey(guarded.address)]!.prevent_destroy).toBe(true);
    liveToken(w).status = 'revoked (exposed)';
    const r = plan(input({ desired: [unguarded], secrets, state: w.state, live: w.live }));
    expect(r.errors).toEqual([]);
    expect(r.steps.map((s) => s.action)).toEqual(['replace-exposed']);
  });

  test.each([
    [false, ['E_MASS_DELETE']],
    [true, []],
  ])('GIVEN prune deletes over 30%% of managed resources WHEN allowMassDelete=%s THEN errors %j', (allow, codes) => {
    const w = applied(others, new Map());
    const r = plan(
      input({
        desired: others.slice(0, 3),
        state: w.state,
        live: w.live,
        options: { prune: true, allowMassDelete: allow },
      }),
    );
    expect(r.errors.map((e) => e.code)).toEqual(codes);
    expect(r.plan.summary.total.delete).toBe(2);
  });
});

describe('planChanges — permission groups', () => {
  test.each([
    ['ambiguous name without scope', { name: 'Logs Read' }, 'E_PERMISSION_GROUP_AMBIGUOUS', /scope/],
    ['unknown name', { name: 'DNS Raed' }, 'E_PERMISSION_GROUP_UNKNOWN', /DNS Read/],
    [
      'name at the wrong scope',
      { name: 'DNS Read', scope: 'com.cloudflare.api.user' },
      'E_PERMISSION_GROUP_UNKNOWN',
      /zone/,
    ],
    ['unknown id', { id: 'ffffffffffffffffffffffffffffffff' }, 'E_PERMISSION_GROUP_UNKNOWN', /name/],
  ])('GIVEN a %s WHEN planning THEN %s positioned at the selector', (_n, selector, code, hint) => {
    const k = token('k', {
      policies: [{ effect: 'allow', permission_groups: [{ name: 'DNS Read' }, selector], resources: { x: '*' } }],
    });
    const { errors } = plan(input({ desired: [k] }));
    expect(errors.map((e) => [e.code, e.location])).toEqual([[code, k.locate('/spec/policies/0/permission_groups/1')]]);
    expect(errors[0]!.hint).toMatch(hint);
  });

  test('GIVEN a name that exists at several scopes WHEN the scope is given THEN it resolves', () => {
    const k = token('k', {
      policies: [
        { effect: 'allow', permission_groups: [{ name: 'Logs Read', scope: ZONE_SCOPE }], resources: { x: '*' } },
      ],
    });
    const { errors, steps } = plan(input({ desired: [k] }));
    expect(errors).toEqual([]);
    expect(steps[0]!.body).toMatchObject({ body: { policies: [{ permission_groups: [{ id: PG.logsReadZone }] }] } });
  });
});

describe('planChanges — annotations', () => {
  test('GIVEN a prevent-destroy annotation WHEN the resource is created or in sync THEN the step carries it (the executor records it)', () => {
    const k = token('k', {}, { annotations: { 'cfgitops.dev/prevent-destroy': 'true' } });
    expect(plan(input({ desired: [k] })).steps[0]!.annotations).toEqual({ 'cfgitops.dev/prevent-destroy': 'true' });
    expect(planAgainstApplied([k]).steps[0]).toMatchObject({
      action: 'no-op',
      annotations: { 'cfgitops.dev/prevent-destroy': 'true' },
    });
  });
});

describe('planChanges — tokens.onAdopt', () => {
  const keep = (): PlanInput['config'] => ({
    ...input().config,
    tokens: { ...input().config.tokens, onAdopt: 'keep' },
  });
  const unmanaged: CfToken = { id: hexId('u'), name: 'k-token', status: 'active', policies: [] };

  test.each<['roll' | 'keep', boolean | undefined]>([
    ['roll', true],
    ['keep', undefined],
  ])(
    'GIVEN an unmanaged token with the desired name and onAdopt %s WHEN planning THEN adopt, rollValue %s',
    (mode, roll) => {
      const config = { ...input().config, tokens: { ...input().config.tokens, onAdopt: mode } };
      const { steps } = plan(input({ desired: [token('k')], live: liveWith({ tokens: [unmanaged] }), config }));
      expect(steps.map((s) => [s.action, s.rollValue])).toEqual([['adopt', roll]]);
    },
  );

  test('GIVEN onAdopt keep and a token a crashed run created WHEN planning THEN it is rolled anyway (its value was lost)', () => {
    const k = token('k');
    const w = applied([k], secretsFor([k]));
    const intent: Intent = {
      id: 'i1',
      op: 'create',
      kind: 'AccountToken',
      account: k.address.account,
      name: 'k',
      cf_name: k.spec.name,
      started_at: '2026-02-28T00:00:00.000Z',
    };
    const { steps } = plan(input({ desired: [k], state: stateWith([], { i1: intent }), live: w.live, config: keep() }));
    expect(steps.map((s) => [s.action, s.rollValue])).toEqual([['adopt', true]]);
  });

  test.each<[string, (r: { sink?: { sink: string; key: string } }) => void, string]>([
    ['nothing else changed', () => undefined, 'no-op'],
    ['its recorded sink key differs from the manifest', (r) => (r.sink = { sink: 'local', key: 'old-key' }), 'no-op'],
  ])(
    'GIVEN a recorded token whose value is external and %s WHEN planning THEN %s (never rolled on its own)',
    (_w, edit, action) => {
      const k = token('k');
      const { steps } = planAgainstApplied([k], (w) => {
        const rec = w.state.resources[addressKey(k.address)]!;
        rec.value_status = 'external';
        edit(rec);
      });
      expect(steps.map((s) => [s.action, s.rollValue])).toEqual([[action, undefined]]);
    },
  );
});
