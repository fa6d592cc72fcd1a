/**
 * Rotation in the planner: due by policy (per token over the Config default), forced by `rotate`, the reason a
 * reviewer reads, the overlap and roll step shapes, finishing an interrupted overlap rotation from what state and
 * Cloudflare say, deleting an expired predecessor, and the 500-token quota.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, test } from 'vitest';
import { defaultConfig } from '../../../src/config/types.js';
import { resolveConfig } from '../../../src/config/resolve-config.js';
import type { DesiredResource } from '../../../src/manifest/types.js';
import { planChanges } from '../../../src/planner/plan-changes.js';
import { retiredName } from '../../../src/planner/plan-rotation.js';
import { renderJson } from '../../../src/planner/render-json.js';
import { renderMarkdown } from '../../../src/planner/render-markdown.js';
import { renderText } from '../../../src/planner/render-text.js';
import { addressKey } from '../../../src/resources.js';
import type { Intent, RecordedResource } from '../../../src/state/types.js';
import { ACCOUNT, hexId, input, NOW, secretsFor, token } from './builders.js';
import { applied } from './world.js';

const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();

function world(desired: DesiredResource[], issuedDaysAgo: number, extra: Partial<RecordedResource> = {}) {
  const w = applied(desired, secretsFor(desired));
  for (const r of Object.values(w.state.resources)) {
    Object.assign(r, { value_issued_at: iso(NOW - issuedDaysAgo * DAY), ...extra });
  }
  return w;
}

function planIn(w: ReturnType<typeof world>, desired: DesiredResource[], extra: Parameters<typeof input>[0] = {}) {
  return planChanges(input({ desired, secrets: secretsFor(desired), state: w.state, live: w.live, ...extra }));
}

const everyConfig = (every: string, strategy: 'overlap' | 'roll' = 'overlap') => ({
  tokens: { ...defaultConfig().tokens, rotation: { every, strategy, grace: '24h' } },
});

describe('planner — due rotations', () => {
  test('GIVEN a value 31 days old and a policy of every 30d WHEN planning THEN a rotate step says so, with the overlap it will do', () => {
    const k = token('ci', { rotation: { every: '30d', strategy: 'overlap', grace: '24h' } });
    const w = world([k], 31);
    const { plan, errors } = planIn(w, [k]);
    expect(errors).toEqual([]);
    const step = plan.steps[0]!;
    expect(step.action).toBe('rotate');
    expect(step.reason).toMatch(/^value 31 days old, policy every 30d \(strategy overlap/);
    expect(step.targetId).toBe(w.ids.get(addressKey(k.address)));
    expect(step.rotation).toMatchObject({
      strategy: 'overlap',
      generation: 2,
      graceSeconds: 86_400,
      retiredName: 'ci-token (retired, generation 1)',
      successor: 'create',
    });
    expect(step.rotation?.predecessorBody?.name).toBe('ci-token');
    expect(step.body).toMatchObject({ kind: 'AccountToken', body: { name: 'ci-token' } });
    expect(plan.summary.total.rotate).toBe(1);
    const text = renderText(plan);
    expect(text).toContain('⟳ rotate AccountToken/');
    expect(text).toContain('value 31 days old, policy every 30d');
    expect(text).toContain(
      'renamed "ci-token (retired, generation 1)" and expires 1d after the new value is delivered',
    );
    expect(text).toContain('Plan: 1 to rotate.');
    expect(renderMarkdown(plan)).toContain('| rotate |');
  });

  test('GIVEN a value 29 days old WHEN planning with every 30d THEN nothing is due', () => {
    const k = token('ci', { rotation: { every: '30d' } });
    const { plan } = planIn(world([k], 29), [k]);
    expect(plan.steps.map((s) => s.action)).toEqual(['no-op']);
  });

  test('GIVEN the Config default every 7d with strategy roll and a token that overrides only every WHEN planning THEN its own every decides and the default strategy applies', () => {
    const own = token('own', { rotation: { every: '60d' } });
    const dflt = token('dflt');
    const w = world([own, dflt], 10);
    const { plan } = planIn(w, [own, dflt], { config: everyConfig('7d', 'roll') });
    const byName = Object.fromEntries(plan.steps.map((s) => [s.address.name, s]));
    expect(byName['own']!.action).toBe('no-op');
    expect(byName['dflt']!.action).toBe('rotate');
    expect(byName['dflt']!.rotation).toEqual({ strategy: 'roll', generation: 2 });
    expect(byName['dflt']!.rollValue).toBe(true);
    expect(byName['dflt']!.reason).toContain('value 10 days old, policy every 7d (strategy roll');
  });

  test('GIVEN every: never on a token under a Config default WHEN planning THEN it is never due', () => {
    const k = token('ci', { rotation: { every: 'never' } });
    const { plan } = planIn(world([k], 400), [k], { config: everyConfig('30d') });
    expect(plan.steps.map((s) => s.action)).toEqual(['no-op']);
  });

  test('GIVEN an external value (onAdopt keep) or an unknown age WHEN planning THEN the external one is left alone and the unknown one is due', () => {
    const ext = token('ext', { rotation: { every: '1d' } });
    const unk = token('unk', { rotation: { every: '1d' } });
    const w = world([ext, unk], 5);
    w.state.resources[addressKey(ext.address)]!.value_status = 'external';
    delete w.state.resources[addressKey(unk.address)]!.value_issued_at;
    const { plan } = planIn(w, [ext, unk]);
    const byName = Object.fromEntries(plan.steps.map((s) => [s.address.name, s]));
    expect(byName['ext']!.action).toBe('no-op');
    expect(byName['unk']!.reason).toMatch(/^value of unknown age, policy every 1d/);
  });

  test('GIVEN a due token that also drifted WHEN planning THEN one rotate step fixes both (the successor gets the manifest body)', () => {
    const k = token('ci', { rotation: { every: '30d' } });
    const w = world([k], 40);
    w.live.accounts[ACCOUNT]!.tokens[0]!.condition = { request_ip: { in: ['192.0.2.0/24'] } };
    const { plan } = planIn(w, [k]);
    const step = plan.steps[0]!;
    expect(step.action).toBe('rotate');
    expect(step.reason).toContain('value 40 days old');
    expect(step.reason).toContain('live differs from manifest');
    expect(step.diff.length).toBeGreaterThan(0);
    // The predecessor keeps its live body; only the name and expiry change when it is retired.
    expect(step.rotation?.predecessorBody?.condition).toEqual({ request_ip: { in: ['192.0.2.0/24'] } });
  });

  test('GIVEN a forced rotation with --strategy roll of a token whose policy is overlap WHEN planning THEN the forced strategy wins', () => {
    const k = token('ci');
    const w = world([k], 1);
    const key = addressKey(k.address);
    const { plan } = planIn(w, [k], {
      options: {
        prune: false,
        allowMassDelete: false,
        forceRotation: { reasons: new Map([[key, 'rotate: asked for']]), strategy: 'roll' },
      },
    });
    expect(plan.steps[0]).toMatchObject({ action: 'rotate', rotation: { strategy: 'roll' } });
  });

  test('GIVEN a grace not shorter than every in the Config WHEN resolving THEN a positioned config error', () => {
    const { errors } = resolveConfig({ tokens: { rotation: { every: '1d', grace: '2d' } } }, (p) => ({
      file: 'cfgitops.yaml',
      line: 3,
      col: 1,
      pointer: p,
    }));
    expect(errors.map((e) => [e.code, e.location?.pointer, e.message])).toEqual([
      ['E_CONFIG', '/spec/tokens/rotation/grace', 'rotation grace 2d is not shorter than rotation every 1d'],
    ]);
  });

  test('GIVEN a 120-character token name WHEN retired THEN the retired name stays within 120 characters', () => {
    const name = retiredName('x'.repeat(120), 12);
    expect(name.length).toBe(120);
    expect(name.endsWith(' (retired, generation 12)')).toBe(true);
  });
});

describe('planner — predecessors and interrupted overlap rotations', () => {
  const k = token('ci', { rotation: { every: '30d' } });
  const key = addressKey(k.address);

  /** The journal entry an interrupted run left on the `ci` token. */
  function pendingIntent(id: string, op: Intent['op']): Intent {
    return {
      id,
      op,
      kind: 'AccountToken',
      account: ACCOUNT,
      name: 'ci',
      cf_name: 'ci-token',
      started_at: iso(NOW - 30_000),
      sink: { sink: 'local', key: 'ci' },
    };
  }

  function rotatingWorld(stage: 'recorded-pred' | 'successor-undelivered' | 'bounded', expiresInMs = DAY) {
    const w = world([k], 31);
    const rec = w.state.resources[key]!;
    const predId = rec.id;
    rec.predecessor = {
      id: predId,
      cf_name: 'ci-token (retired, generation 1)',
      generation: 1,
      rotated_at: iso(NOW - 60_000),
    };
    if (stage !== 'recorded-pred') {
      const liveTok = w.live.accounts[ACCOUNT]!.tokens[0]!;
      liveTok.name = 'ci-token (retired, generation 1)';
      const succId = hexId('successor');
      w.live.accounts[ACCOUNT]!.tokens.push({ ...liveTok, id: succId, name: 'ci-token' });
      rec.id = succId;
      rec.generation = 2;
      rec.value_issued_at = iso(NOW - 60_000);
      rec.value_status = stage === 'bounded' ? 'delivered' : 'undelivered';
      if (stage === 'bounded') {
        rec.predecessor.expires_on = iso(NOW + expiresInMs);
        liveTok.expires_on = rec.predecessor.expires_on;
      }
    }
    return { w, predId };
  }

  test('GIVEN state names a predecessor and a create intent, and the successor exists by name WHEN planning THEN the rotation is finished by adopting it', () => {
    const { w, predId } = rotatingWorld('recorded-pred');
    w.live.accounts[ACCOUNT]!.tokens[0]!.name = 'ci-token (retired, generation 1)';
    const succ = { ...w.live.accounts[ACCOUNT]!.tokens[0]!, id: hexId('orphan-successor'), name: 'ci-token' };
    w.live.accounts[ACCOUNT]!.tokens.push(succ);
    w.state.pending['intent-1'] = pendingIntent('intent-1', 'create');
    const { plan, errors } = planIn(w, [k]);
    expect(errors).toEqual([]);
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]).toMatchObject({
      action: 'rotate',
      targetId: predId,
      resolvesIntent: 'intent-1',
      rotation: { strategy: 'overlap', successor: 'adopt', successorId: succ.id, generation: 2 },
    });
    expect(plan.steps[0]!.reason).toMatch(/^finish the overlap rotation an interrupted run started at/);
    expect(plan.warnings).toEqual([]);
  });

  test('GIVEN a recorded successor whose value never reached the sink WHEN planning THEN the rotation is finished (roll, deliver, bound), never a second successor', () => {
    const { w, predId } = rotatingWorld('successor-undelivered');
    const { plan } = planIn(w, [k]);
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]).toMatchObject({ action: 'rotate', targetId: predId, rotation: { successor: 'recorded' } });
    expect(plan.steps[0]!.reason).toContain('deliver a new value of the successor, then bound the predecessor');
  });

  test('GIVEN a recorded successor whose roll was cut short (its roll intent pending) WHEN planning THEN the finishing step resolves that intent', () => {
    // Crash trials (seed 932357596): the intent outlived the recovery apply, which then rolled under a new one.
    const { w, predId } = rotatingWorld('successor-undelivered');
    const rec = w.state.resources[key]!;
    w.state.pending['roll-1'] = { ...pendingIntent('roll-1', 'roll'), resource_id: rec.id };
    const { plan, errors } = planIn(w, [k]);
    expect(errors).toEqual([]);
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]).toMatchObject({
      action: 'rotate',
      targetId: predId,
      resolvesIntent: 'roll-1',
      rotation: { successor: 'recorded' },
    });
  });

  test('GIVEN a bounded predecessor inside its grace WHEN planning THEN nothing to do, and no new rotation starts', () => {
    const { w } = rotatingWorld('bounded');
    const rec = w.state.resources[key]!;
    rec.value_issued_at = iso(NOW - 40 * DAY); // even if the successor were due again
    const { plan } = planIn(w, [k]);
    expect(plan.steps.map((s) => s.action)).toEqual(['no-op']);
  });

  test('GIVEN an expired predecessor and a successor due again WHEN planning THEN the predecessor is deleted first, then the next overlap starts', () => {
    const { w, predId } = rotatingWorld('bounded', -1000);
    w.state.resources[key]!.value_issued_at = iso(NOW - 31 * DAY);
    const { plan, errors } = planIn(w, [k]);
    expect(errors).toEqual([]);
    const del = plan.steps.find((s) => s.action === 'delete-predecessor')!;
    const rot = plan.steps.find((s) => s.action === 'rotate')!;
    expect(del.targetId).toBe(predId);
    expect(rot.targetId).toBe(w.state.resources[key]!.id);
    expect(rot.rotation).toMatchObject({ generation: 3, retiredName: 'ci-token (retired, generation 2)' });
    expect(rot.dependsOn).toEqual([del.id]);
    expect(del.dependsOn).toEqual([]);
  });

  test('GIVEN rotate and delete-predecessor steps WHEN rendered as JSON THEN the plan validates against schemas/plan.schema.json', () => {
    const { w } = rotatingWorld('bounded', -1000);
    w.state.resources[key]!.value_issued_at = iso(NOW - 31 * DAY);
    const { plan } = planIn(w, [k]);
    expect(plan.steps.map((s) => s.action).sort()).toEqual(['delete-predecessor', 'rotate']);
    const schema = JSON.parse(readFileSync(new URL('../../../schemas/plan.schema.json', import.meta.url), 'utf8'));
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const doc = JSON.parse(renderJson(plan)) as { steps: { rotation?: unknown }[]; summary: unknown };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.summary).toMatchObject({ total: { rotate: 1, 'delete-predecessor': 1 } });
    // A rotation the schema does not allow is refused (the check can fail).
    (doc.steps.find((s) => s.rotation) as { rotation: { strategy: string } }).rotation.strategy = 'blue-green';
    expect(validate(doc)).toBe(false);
  });

  test('GIVEN a bounded predecessor past its expiry WHEN planning THEN a delete-predecessor step beside the no-op', () => {
    const { w, predId } = rotatingWorld('bounded', -1000);
    w.live.accounts[ACCOUNT]!.tokens[0]!.status = 'expired';
    const { plan } = planIn(w, [k]);
    expect(plan.steps.map((s) => s.action).sort()).toEqual(['delete-predecessor', 'no-op']);
    const del = plan.steps.find((s) => s.action === 'delete-predecessor')!;
    expect(del.targetId).toBe(predId);
    expect(del.reason).toMatch(
      /^predecessor [0-9a-f]{32} \("ci-token \(retired, generation 1\)", generation 1\) expired at/,
    );
    expect(renderText(plan)).toContain('1 predecessor(s) to delete');
  });
});

describe('planner — the account token quota', () => {
  test('GIVEN 499 live tokens and two due overlap rotations WHEN planning THEN E_TOKEN_QUOTA names both, before anything is written', () => {
    const a = token('a', { rotation: { every: '1d' } });
    const b = token('b', { rotation: { every: '1d' } });
    const w = world([a, b], 2);
    const filler = w.live.accounts[ACCOUNT]!.tokens[0]!;
    for (let i = 0; i < 497; i++)
      w.live.accounts[ACCOUNT]!.tokens.push({ ...filler, id: hexId(`f${i}`), name: `f${i}` });
    const { errors } = planIn(w, [a, b]);
    expect(errors.map((e) => e.code)).toEqual(['E_TOKEN_QUOTA']);
    expect(errors[0]!.message).toContain('would hold 501 account tokens (499 now + 2 new)');
    expect(errors[0]!.message).toContain(`AccountToken/${ACCOUNT}/a (rotate)`);
    expect(errors[0]!.message).toContain(`AccountToken/${ACCOUNT}/b (rotate)`);
    expect(errors[0]!.hint).toContain('use strategy roll');
  });

  test('GIVEN 499 live tokens and one due rotation WHEN planning THEN it fits (500)', () => {
    const a = token('a', { rotation: { every: '1d' } });
    const w = world([a], 2);
    const filler = w.live.accounts[ACCOUNT]!.tokens[0]!;
    for (let i = 0; i < 498; i++)
      w.live.accounts[ACCOUNT]!.tokens.push({ ...filler, id: hexId(`f${i}`), name: `f${i}` });
    expect(planIn(w, [a]).errors).toEqual([]);
  });
});
