/**
 * Guardrail modes (issue 13, defect 4): `enforce` makes every violation an error, `warn` a warning, and
 * `enforce-new` tolerates what is applied and left as it is while new, adopted and changed resources must comply.
 * Whatever the mode, the plan is complete and each finding sits beside its resource's step.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, test } from 'vitest';
import {
  defaultConfig,
  GUARDRAIL_MODES,
  GUARDRAIL_RULES,
  type GuardrailPolicy,
  type ResolvedConfig,
} from '../../../src/config/types.js';
import type { DesiredResource } from '../../../src/manifest/types.js';
import { offlineGuardrails } from '../../../src/planner/guardrail-mode.js';
import { planChanges } from '../../../src/planner/plan-changes.js';
import { planConfigChanges } from '../../../src/planner/plan-config.js';
import { renderJson } from '../../../src/planner/render-json.js';
import { renderMarkdown } from '../../../src/planner/render-markdown.js';
import { renderText } from '../../../src/planner/render-text.js';
import { appliedConfigOf } from '../../../src/state/applied-config.js';
import { ACCOUNT, input, liveWith, NOW, peer, PG, secretsFor, token } from './builders.js';
import { applied } from './world.js';

const DAY = 86_400_000;
const LIFETIME = { tokenMaxLifetimeDays: 90 } satisfies GuardrailPolicy;
const SHORT = { expires_on: new Date(NOW + 30 * DAY).toISOString() };

/** Plans `desired` against a world where `before` was applied, with `policy` in force. */
function planWith(policy: GuardrailPolicy, desired: DesiredResource[], before: DesiredResource[] = desired) {
  const config: ResolvedConfig = { ...defaultConfig(), policy };
  const world = applied(before, secretsFor(before), config);
  return planChanges(input({ desired, state: world.state, live: world.live, config: { policy } }));
}

const stepOf = (r: ReturnType<typeof planChanges>, name: string) => {
  const s = r.plan.steps.find((x) => x.address.name === name);
  if (!s) throw new Error(`no step for ${name}`);
  return s;
};

describe('GIVEN a token applied before the guardrail existed (no expires_on) WHEN planning', () => {
  const old = token('old');

  test('THEN under enforce (the default) the violation is an error, and the plan still has the step with the finding beside it', () => {
    const r = planWith(LIFETIME, [old]);
    expect(r.errors.map((e) => [e.code, e.location?.pointer])).toEqual([['E_POLICY_VIOLATION', '/spec']]);
    const step = stepOf(r, 'old');
    expect(step.action).toBe('no-op');
    expect(step.guardrails).toEqual([
      expect.objectContaining({ rule: 'tokenMaxLifetimeDays', mode: 'enforce', severity: 'error' }),
    ]);
  });

  test('THEN under warn it is a W_POLICY_VIOLATION warning and no error', () => {
    const r = planWith({ ...LIFETIME, mode: 'warn' }, [old]);
    expect(r.errors).toEqual([]);
    expect(r.plan.warnings.map((w) => w.code)).toEqual(['W_POLICY_VIOLATION']);
    expect(r.plan.warnings[0]!.message).toContain('a warning only (policy.mode: warn)');
    expect(stepOf(r, 'old').guardrails?.[0]).toMatchObject({ mode: 'warn', severity: 'warning' });
  });

  test('THEN under enforce-new, unchanged, it is a warning that says a change makes it an error', () => {
    const r = planWith({ ...LIFETIME, mode: 'enforce-new' }, [old]);
    expect(r.errors).toEqual([]);
    const finding = stepOf(r, 'old').guardrails?.[0];
    expect(finding).toMatchObject({ mode: 'enforce-new', severity: 'warning' });
    expect(finding?.hint).toContain('tolerated while the resource stays as applied (policy.mode: enforce-new)');
    expect(finding?.hint).toContain('an error once it is changed');
  });

  test('THEN under enforce-new, when only its value is rolled (never delivered), it is still tolerated', () => {
    const config: ResolvedConfig = { ...defaultConfig(), policy: { ...LIFETIME, mode: 'enforce-new' } };
    const world = applied([old], secretsFor([old]), config);
    world.state.resources[Object.keys(world.state.resources)[0]!]!.value_status = 'undelivered';
    const r = planChanges(input({ desired: [old], state: world.state, live: world.live, config }));
    expect(stepOf(r, 'old').action).toBe('roll-secret');
    expect(r.errors).toEqual([]);
    expect(stepOf(r, 'old').guardrails?.[0]?.severity).toBe('warning');
  });

  test.each([
    ['expired', 'replace'],
    ['revoked (exposed)', 'replace-exposed'],
  ] as const)(
    'THEN under enforce-new, when Cloudflare marks it %s and it is re-created as it was, it is still tolerated',
    (status, action) => {
      const config: ResolvedConfig = { ...defaultConfig(), policy: { ...LIFETIME, mode: 'enforce-new' } };
      const world = applied([old], secretsFor([old]), config);
      world.live.accounts[ACCOUNT]!.tokens[0]!.status = status;
      const r = planChanges(input({ desired: [old], state: world.state, live: world.live, config }));
      expect(stepOf(r, 'old').action).toBe(action);
      expect(r.errors).toEqual([]);
      expect(stepOf(r, 'old').guardrails?.[0]?.severity).toBe('warning');
    },
  );

  test('THEN under enforce-new, when it was deleted out of band, re-creating it must comply', () => {
    const config: ResolvedConfig = { ...defaultConfig(), policy: { ...LIFETIME, mode: 'enforce-new' } };
    const world = applied([old], secretsFor([old]), config);
    world.live.accounts[ACCOUNT]!.tokens = [];
    const r = planChanges(input({ desired: [old], state: world.state, live: world.live, config }));
    expect(stepOf(r, 'old').action).toBe('create');
    expect(r.errors.map((e) => e.code)).toEqual(['E_POLICY_VIOLATION']);
  });

  test('THEN under enforce-new, once its manifest changes, it is an error', () => {
    const edited = token('old', { name: 'old (renamed)' });
    const r = planWith({ ...LIFETIME, mode: 'enforce-new' }, [edited], [old]);
    expect(stepOf(r, 'old').action).toBe('update');
    expect(r.errors.map((e) => e.code)).toEqual(['E_POLICY_VIOLATION']);
    expect(r.errors[0]!.hint).toContain('new and changed resources must comply (policy.mode: enforce-new)');
    expect(stepOf(r, 'old').guardrails?.[0]?.severity).toBe('error');
  });

  test('THEN under enforce-new, changed but compliant, there is no finding at all', () => {
    const r = planWith({ ...LIFETIME, mode: 'enforce-new' }, [token('old', SHORT)], [old]);
    expect(stepOf(r, 'old').action).toBe('update');
    expect(r.errors).toEqual([]);
    expect(stepOf(r, 'old').guardrails).toBeUndefined();
  });
});

describe('GIVEN enforce-new WHEN a resource is not applied yet', () => {
  const policy: GuardrailPolicy = { ...LIFETIME, peerAllowedPorts: [53], mode: 'enforce-new' };

  test('THEN a new token and a new peer must comply, beside an existing one that is tolerated', () => {
    const existing = token('existing');
    const r = planWith(policy, [existing, token('fresh'), peer('p', { port: 5353 })], [existing]);
    expect(stepOf(r, 'fresh').action).toBe('create');
    expect(r.errors.map((e) => e.location?.pointer).sort()).toEqual(['/spec', '/spec/port']);
    expect(stepOf(r, 'fresh').guardrails?.[0]?.severity).toBe('error');
    expect(stepOf(r, 'p').guardrails?.[0]).toMatchObject({ rule: 'peerAllowedPorts', severity: 'error' });
    expect(stepOf(r, 'existing').guardrails?.[0]?.severity).toBe('warning');
  });

  test('THEN adopting an unmanaged token counts as new', () => {
    const k = token('adoptee');
    const world = applied([k], secretsFor([k]));
    const r = planChanges(
      input({ desired: [k], live: world.live, config: { policy: policy } }), // nothing recorded: adopt
    );
    expect(stepOf(r, 'adoptee').action).toBe('adopt');
    expect(r.errors.map((e) => e.code)).toEqual(['E_POLICY_VIOLATION']);
  });

  test('THEN a suspended create makes no change, but the resource is still new: an error', () => {
    const held = token('held', {}, { annotations: { 'cfgitops.dev/suspend': 'true' } });
    const r = planChanges(input({ desired: [held], config: { policy } }));
    expect(stepOf(r, 'held').action).toBe('no-op');
    expect(r.errors.map((e) => e.code)).toEqual(['E_POLICY_VIOLATION']);
  });
});

describe('GIVEN per-rule modes', () => {
  test('THEN policy.modes overrides policy.mode for its rule only, and the hint names the setting that decided', () => {
    const policy: GuardrailPolicy = {
      ...LIFETIME,
      peerAllowedPorts: [53],
      mode: 'enforce',
      modes: { tokenMaxLifetimeDays: 'warn' },
    };
    const k = token('k');
    const p = peer('p', { port: 5353 });
    const r = planWith(policy, [k, p]);
    expect(r.errors.map((e) => e.location?.pointer)).toEqual(['/spec/port']);
    expect(r.plan.warnings.map((w) => w.code)).toEqual(['W_POLICY_VIOLATION']);
    expect(r.plan.warnings[0]!.message).toContain('(policy.modes.tokenMaxLifetimeDays: warn)');
  });

  test('THEN the schema lists exactly the rules and modes the code knows', () => {
    const schema = JSON.parse(readFileSync(new URL('../../../schemas/config.schema.json', import.meta.url), 'utf8'));
    const policy = schema.$defs?.spec?.properties?.policy ?? schema.properties.spec.properties.policy;
    expect(policy.properties.mode.enum).toEqual([...GUARDRAIL_MODES]);
    expect(Object.keys(policy.properties.modes.properties)).toEqual([...GUARDRAIL_RULES]);
    for (const rule of GUARDRAIL_RULES) expect(Object.keys(policy.properties)).toContain(rule);
  });

  test('THEN a mode change is a reviewed config change, one line per rule', () => {
    const before = appliedConfigOf({ ...defaultConfig(), policy: LIFETIME }, '2026-01-01T00:00:00.000Z');
    const after: ResolvedConfig = {
      ...defaultConfig(),
      policy: { ...LIFETIME, mode: 'enforce-new', modes: { tokenMaxLifetimeDays: 'warn' } },
    };
    expect(planConfigChanges(after, before)).toEqual([
      { path: '/policy/mode', after: 'enforce-new' },
      { path: '/policy/modes/tokenMaxLifetimeDays', after: 'warn' },
    ]);
  });
});

describe('GIVEN a plan with guardrail findings WHEN rendered', () => {
  const policy: GuardrailPolicy = { ...LIFETIME, mode: 'enforce-new' };
  const existing = token('existing');
  const r = planWith(policy, [existing, token('fresh')], [existing]);

  test('THEN text shows each finding inside its step block (an in-sync step too), once, and says the plan cannot be applied', () => {
    const text = renderText(r.plan, { errors: r.errors });
    const blocks = text.split('\n\n');
    const existingBlock = blocks.find((b) => b.includes(`no-op AccountToken/${ACCOUNT}/existing`));
    const freshBlock = blocks.find((b) => b.includes(`create AccountToken/${ACCOUNT}/fresh`));
    expect(existingBlock).toContain(
      '⚠ guardrail warning: tokenMaxLifetimeDays (enforce-new): token "existing-token" has no expires_on',
    );
    expect(freshBlock).toContain(
      '✗ guardrail error: tokenMaxLifetimeDays (enforce-new): token "fresh-token" has no expires_on',
    );
    expect(text.match(/has no expires_on/g)).toHaveLength(2);
    expect(text).not.toContain('Error: E_POLICY_VIOLATION');
    expect(text).toContain('1 guardrail error and 1 guardrail warning, shown beside their resources.');
    expect(text).toContain('This plan has errors: it cannot be applied until they are fixed.');
  });

  test('THEN markdown opens the step with an error, marks both, and lists neither again', () => {
    const md = renderMarkdown(r.plan, { errors: r.errors });
    expect(md).toMatch(
      /<details open><summary><code>\+ create<\/code> <code>AccountToken\/[0-9a-f]+\/fresh<\/code>.* ❌<\/summary>/,
    );
    expect(md).toMatch(
      /<details><summary><code> {2}no-op<\/code> <code>AccountToken\/[0-9a-f]+\/existing<\/code>.* ⚠️<\/summary>/,
    );
    expect(md).not.toContain('#### ❌ Errors');
    expect(md).toContain('> [!CAUTION]');
    expect(md.match(/has no expires_on/g)).toHaveLength(2);
  });

  test('THEN JSON carries them in errors, warnings and beside each step, valid against schemas/plan.schema.json', () => {
    const schema = JSON.parse(readFileSync(new URL('../../../schemas/plan.schema.json', import.meta.url), 'utf8'));
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const doc = JSON.parse(renderJson(r.plan, { errors: r.errors }));
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.errors.map((e: { code: string }) => e.code)).toEqual(['E_POLICY_VIOLATION']);
    expect(doc.warnings.map((w: { code: string }) => w.code)).toEqual(['W_POLICY_VIOLATION']);
    const fresh = doc.steps.find((s: { address: { name: string } }) => s.address.name === 'fresh');
    expect(fresh.guardrails).toEqual([
      expect.objectContaining({ rule: 'tokenMaxLifetimeDays', severity: 'error', location: expect.any(Object) }),
    ]);
  });
});

describe('offlineGuardrails (validate: no state, no catalog)', () => {
  test('GIVEN forbidden groups WHEN the manifest writes a forbidden name or id THEN found; a name given as an id needs the catalog (plan)', () => {
    const byName = token('by-name');
    const byId = token('by-id', {
      policies: [{ effect: 'allow', permission_groups: [{ id: PG.dnsRead }], resources: { x: '*' } }],
    });
    const pointers = (list: string[]) =>
      offlineGuardrails([byName, byId], { forbiddenPermissionGroups: list }, NOW).map((f) => [
        f.location.pointer,
        f.severity,
      ]);
    expect(pointers(['DNS Read'])).toEqual([['/spec/policies/0/permission_groups/0', 'error']]);
    expect(pointers([PG.dnsRead])).toEqual([['/spec/policies/0/permission_groups/0', 'error']]);
    // At plan time both are found: the catalog resolves names and ids alike.
    const r = planChanges(
      input({
        desired: [byName, byId],
        live: liveWith(),
        config: { policy: { forbiddenPermissionGroups: ['DNS Read'] } },
      }),
    );
    expect(r.errors.map((e) => e.code)).toEqual(['E_POLICY_VIOLATION', 'E_POLICY_VIOLATION']);
  });

  test('GIVEN enforce-new WHEN validating THEN a warning: only the plan knows what is new', () => {
    const [f] = offlineGuardrails([token('k')], { ...LIFETIME, mode: 'enforce-new' }, NOW);
    expect(f).toMatchObject({ severity: 'warning', mode: 'enforce-new' });
    expect(f?.hint).toContain('plan refuses it if the resource is new or changed');
  });
});
