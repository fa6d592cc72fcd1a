import { describe, expect, test } from 'vitest';
import { planChanges } from '../../../src/planner/plan-changes.js';
import { addressKey } from '../../../src/resources.js';
import { input, peer, secretsFor, token, tsig } from './builders.js';
import { applied } from './world.js';

const SUSPEND = { annotations: { 'cfgitops.dev/suspend': 'true' } };

describe('cfgitops.dev/suspend', () => {
  test('GIVEN a suspended TSIG and a peer using it WHEN planning from nothing THEN both are no-ops with W_SUSPENDED and the token is still created', () => {
    const t = tsig('axfr', {}, SUSPEND);
    const p = peer('ns1', { tsig: 'axfr' });
    const k = token('ci');
    const { plan, errors } = planChanges(input({ desired: [t, p, k] }));
    expect(errors).toEqual([]);
    expect(plan.steps.map((s) => `${s.action} ${addressKey(s.address)}`)).toEqual([
      `no-op ${addressKey(t.address)}`,
      `no-op ${addressKey(p.address)}`,
      `create ${addressKey(k.address)}`,
    ]);
    expect(plan.steps[0]!.reason).toMatch(/^suspended: create skipped/);
    expect(plan.steps[1]!.reason).toContain(`depends on create:${addressKey(t.address)}`);
    expect(plan.steps[1]!.body).toBeUndefined();
    expect(plan.warnings.filter((w) => w.code === 'W_SUSPENDED')).toHaveLength(2);
    expect(plan.summary.total.create).toBe(1);
  });

  test('GIVEN an applied token changed out of band WHEN it is suspended THEN the plan has no changes but a warning', () => {
    const k = token('ci', {}, SUSPEND);
    const w = applied([token('ci')], secretsFor([]));
    w.live.accounts[k.address.account]!.tokens[0]!.status = 'disabled';
    const unsuspended = planChanges(input({ desired: [token('ci')], state: w.state, live: w.live }));
    expect(unsuspended.plan.summary.hasChanges).toBe(true);
    const { plan } = planChanges(input({ desired: [k], state: w.state, live: w.live }));
    expect(plan.summary.hasChanges).toBe(false);
    expect(plan.warnings.map((x) => x.code)).toEqual(['W_SUSPENDED']);
  });

  test('GIVEN "false" WHEN planning THEN nothing is suspended', () => {
    const { plan } = planChanges(
      input({ desired: [token('ci', {}, { annotations: { 'cfgitops.dev/suspend': 'false' } })] }),
    );
    expect(plan.steps.map((s) => s.action)).toEqual(['create']);
  });
});
