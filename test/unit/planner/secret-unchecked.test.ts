/**
 * A TSIG secret is compared only through a reference already applied (docs/security.md, rule 3): the planner shows an
 * existing TSIG whose reference is new as changing, whatever the secret, and a create the same as always.
 */
import { describe, expect, test } from 'vitest';
import { UNCHECKED_SECRET } from '../../../src/kinds/tsig/compare.js';
import { sameSecretRef, secretRefOf, uncheckedSecretAddresses } from '../../../src/manifest/secret-ref.js';
import { planChanges } from '../../../src/planner/plan-changes.js';
import { addressKey } from '../../../src/resources.js';
import { Secret, SENSITIVE } from '../../../src/secret.js';
import { input, peer, recorded, secretsFor, stateWith, tsig } from './builders.js';
import { applied } from './world.js';

const t = tsig('t');
const key = addressKey(t.address);

describe('GIVEN an applied TSIG whose secret reference the change replaced', () => {
  const secrets = secretsFor([t]);
  const world = applied([t], secrets);

  test('WHEN planned with the reference unchecked THEN the secret shows as changing, checked at apply, with W_SECRET_UNCHECKED', () => {
    const { plan, errors } = planChanges(
      input({
        desired: [t],
        secrets: new Map(),
        uncheckedSecrets: new Set([key]),
        state: world.state,
        live: world.live,
      }),
    );
    expect(errors).toEqual([]);
    expect(plan.steps.map((s) => s.action)).toEqual(['update']);
    expect(plan.steps[0]!.diff).toEqual([{ path: '/secret', before: SENSITIVE, after: UNCHECKED_SECRET }]);
    expect(plan.warnings.map((w) => w.code)).toEqual(['W_SECRET_UNCHECKED']);
    expect(plan.warnings[0]!.message).toContain(key);
  });

  test('WHEN the unread value would equal or differ from the live one THEN the plan is the same (no oracle)', () => {
    const plans = [secrets, new Map([[key, new Secret('a-different-secret-value-0123456789')]])].map(
      (s) =>
        planChanges(
          input({ desired: [t], secrets: s, uncheckedSecrets: new Set([key]), state: world.state, live: world.live }),
        ).plan,
    );
    expect(plans[0]).toEqual(plans[1]);
  });

  test('WHEN the same TSIG is planned with its reference applied THEN the secret is compared as before', () => {
    const same = planChanges(input({ desired: [t], secrets, state: world.state, live: world.live })).plan;
    expect(same.steps.map((s) => s.action)).toEqual(['no-op']);
    expect(same.warnings).toEqual([]);
  });
});

describe('GIVEN a new TSIG (and a peer using it) whose reference is not applied', () => {
  test('WHEN planned THEN it is a create needing no secret, without warning', () => {
    const p = peer('p', { tsig: 't' });
    const { plan, errors } = planChanges(
      input({ desired: [t, p], secrets: new Map(), uncheckedSecrets: new Set([key]) }),
    );
    expect(errors).toEqual([]);
    expect(plan.steps.map((s) => s.action)).toEqual(['create', 'create']);
    expect(plan.steps[0]!.diff).toContainEqual({ path: '/secret', after: SENSITIVE, sensitive: true });
    expect(plan.warnings).toEqual([]);
  });
});

describe('uncheckedSecretAddresses', () => {
  const manifests = { cwd: '/repo', root: '/repo' };
  const fileTsig = tsig('f', { secret: { fromFile: '../keys/f.key' } });
  const inFile = { ...fileTsig, source: { ...fileTsig.source, file: 'desired-state/tsigs.yaml' } };

  test('a fromFile reference is the key file relative to the repository root', () => {
    expect(secretRefOf(inFile, manifests)).toEqual({ fromFile: 'keys/f.key' });
    expect(secretRefOf(t, manifests)).toEqual({ fromEnv: 'TSIG' });
  });

  test('only a TSIG recorded with the same reference is checked; unknown (old state) and changed ones are not', () => {
    const state = stateWith([recorded(t, 'id-t', { secret_ref: { fromEnv: 'TSIG' } }), recorded(inFile, 'id-f')]);
    const other = tsig('o');
    const all = [t, inFile, other];
    expect([...uncheckedSecretAddresses({ resources: all, ...manifests }, state)].sort()).toEqual(
      [addressKey(inFile.address), addressKey(other.address)].sort(),
    );
    const moved = tsig('t', { secret: { fromEnv: 'DEPLOY_KEY' } });
    expect([...uncheckedSecretAddresses({ resources: [moved], ...manifests }, state)]).toEqual([key]);
  });

  test('sameSecretRef tells env from file', () => {
    expect(sameSecretRef({ fromEnv: 'A' }, { fromEnv: 'A' })).toBe(true);
    expect(sameSecretRef({ fromEnv: 'A' }, { fromFile: 'A' })).toBe(false);
    expect(sameSecretRef(undefined, { fromEnv: 'A' })).toBe(false);
  });
});
