import { describe, expect, test } from 'vitest';
import { defaultConfig, type ResolvedConfig, type SinkConfig } from '../../../src/config/types.js';
import type { FieldChange } from '../../../src/planner/plan.js';
import { planChanges } from '../../../src/planner/plan-changes.js';
import { planConfigChanges, sinkDestinationChanged } from '../../../src/planner/plan-config.js';
import { renderJson } from '../../../src/planner/render-json.js';
import { renderMarkdown } from '../../../src/planner/render-markdown.js';
import { renderText } from '../../../src/planner/render-text.js';
import { Secret } from '../../../src/secret.js';
import { appliedConfigOf } from '../../../src/state/applied-config.js';
import { input, stateWith, token } from './builders.js';
import { applied } from './world.js';

const VAULT: SinkConfig = { type: 'exec', command: ['vault', 'kv', 'put'], timeoutSeconds: 30 };

const GH: SinkConfig = {
  type: 'github-actions',
  repository: 'acme/infra',
  environment: 'prod',
  tokenEnv: 'GITHUB_TOKEN',
  apiUrl: 'https://api.github.com',
};
const AGE: SinkConfig = { type: 'age', path: 'secrets', recipients: ['age1aaa'], layout: 'files' };

/** A reviewed base config: two sinks, a default, two guardrails. */
function base(): ResolvedConfig {
  return {
    ...defaultConfig(),
    sinks: { local: { type: 'file', path: '.cfgitops/secrets.json', format: 'json' }, gh: GH },
    defaultSink: 'local',
    policy: { tokenMaxLifetimeDays: 90, forbiddenPermissionGroups: ['Account API Tokens Write'] },
  };
}

function diff(before: ResolvedConfig, after: ResolvedConfig): FieldChange[] {
  return planConfigChanges(after, appliedConfigOf(before, '2026-01-01T00:00:00.000Z'));
}

describe('planConfigChanges', () => {
  test.each<[string, (c: ResolvedConfig) => void, FieldChange[]]>([
    ['nothing changed', () => undefined, []],
    [
      "a sink's repository re-pointed",
      (c) => (c.sinks['gh'] = { ...GH, repository: 'attacker/loot' }),
      [{ path: '/secrets/sinks/gh/repository', before: 'acme/infra', after: 'attacker/loot' }],
    ],
    [
      "a sink's optional field dropped",
      (c) => {
        const { environment: _e, ...rest } = GH;
        c.sinks['gh'] = rest;
      },
      [{ path: '/secrets/sinks/gh/environment', before: 'prod' }],
    ],
    ['a sink added', (c) => (c.sinks['vault'] = AGE), [{ path: '/secrets/sinks/vault', after: AGE }]],
    ['a sink removed', (c) => delete c.sinks['gh'], [{ path: '/secrets/sinks/gh', before: GH }]],
    [
      'a sink replaced by another type',
      (c) => (c.sinks['gh'] = AGE),
      [{ path: '/secrets/sinks/gh', before: GH, after: AGE }],
    ],
    [
      'the default sink moved',
      (c) => (c.defaultSink = 'gh'),
      [{ path: '/secrets/default', before: 'local', after: 'gh' }],
    ],
    [
      'a guardrail loosened (setting removed)',
      (c) => delete c.policy.tokenMaxLifetimeDays,
      [{ path: '/policy/tokenMaxLifetimeDays', before: 90 }],
    ],
    [
      'a guardrail list shortened and one added',
      (c) => (c.policy = { ...c.policy, forbiddenPermissionGroups: [], wildcardNeedsIpCondition: true }),
      [
        { path: '/policy/forbiddenPermissionGroups', removed: ['Account API Tokens Write'] },
        { path: '/policy/wildcardNeedsIpCondition', after: true },
      ],
    ],
    [
      'settings outside sinks and policy (concurrency, prune)',
      (c) => {
        c.api.concurrency = 1;
        c.prune = true;
      },
      [],
    ],
  ])('GIVEN %s WHEN compared with the applied snapshot THEN exactly these changes', (_name, mutate, expected) => {
    const after = base();
    mutate(after);
    expect(diff(base(), after)).toEqual(expected);
  });

  test('GIVEN no snapshot (first apply, or a state from before snapshots) THEN every sink, the default and every guardrail are listed as added', () => {
    const c = base();
    expect(planConfigChanges(c, undefined)).toEqual([
      { path: '/secrets/default', after: 'local' },
      { path: '/secrets/sinks/gh', after: GH },
      { path: '/secrets/sinks/local', after: c.sinks['local'] },
      { path: '/policy/forbiddenPermissionGroups', added: ['Account API Tokens Write'] },
      { path: '/policy/tokenMaxLifetimeDays', after: 90 },
    ]);
  });

  test('GIVEN a snapshot read back with keys in another order (jsonb) THEN no change', () => {
    const snap = appliedConfigOf(base(), '2026-01-01T00:00:00.000Z');
    const reordered = JSON.parse(
      JSON.stringify(snap, (_k, v: unknown) =>
        v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
      ),
    ) as typeof snap;
    expect(Object.keys(reordered.sinks)).toEqual(['gh', 'local']);
    expect(planConfigChanges(base(), reordered)).toEqual([]);
  });

  test('GIVEN a sink name with pointer characters THEN the path escapes them', () => {
    const after = base();
    after.sinks['a/b~c'] = AGE;
    expect(diff(base(), after).map((c) => c.path)).toEqual(['/secrets/sinks/a~1b~0c']);
  });
});

/** Within base()'s 90-day guardrail. */
const k = token('k', { expires_on: '2026-04-01T00:00:00Z' });

describe('planChanges with config changes', () => {
  test('GIVEN only a config change WHEN planning THEN every step is a no-op yet the plan has changes', () => {
    const w = applied([k], new Map(), base());
    const changed = base();
    changed.sinks['gh'] = { ...GH, repository: 'attacker/loot' };
    const { plan, errors } = planChanges(input({ desired: [k], state: w.state, live: w.live, config: changed }));
    expect(errors).toEqual([]);
    expect(plan.steps.map((s) => s.action)).toEqual(['no-op']);
    expect(plan.config_changes).toEqual([
      { path: '/secrets/sinks/gh/repository', before: 'acme/infra', after: 'attacker/loot' },
    ]);
    expect(plan.summary).toMatchObject({ configChanged: true, hasChanges: true });
  });

  test.each<[string, (c: ResolvedConfig) => void, string]>([
    [
      "the token's sink now delivers to another repository",
      (c) => (c.sinks['gh'] = { ...GH, repository: 'acme/other' }),
      'roll-secret',
    ],
    [
      "the token's sink now uses another environment",
      (c) => (c.sinks['gh'] = { ...GH, environment: 'staging' }),
      'roll-secret',
    ],
    [
      'only the env var holding the GitHub token changed',
      (c) => (c.sinks['gh'] = { ...GH, tokenEnv: 'GH_PAT' }),
      'no-op',
    ],
    ['another sink changed', (c) => (c.sinks['local'] = { type: 'file', path: 'x.json', format: 'json' }), 'no-op'],
  ])('GIVEN a token in sink gh WHEN %s THEN its step is %s', (_what, edit, action) => {
    const t = token('t', { expires_on: '2026-04-01T00:00:00Z', secret: { sink: 'gh', key: 'T' } });
    const w = applied([t], new Map(), base());
    const changed = base();
    edit(changed);
    const { plan, errors } = planChanges(input({ desired: [t], state: w.state, live: w.live, config: changed }));
    expect(errors).toEqual([]);
    expect(plan.steps.map((s) => s.action)).toEqual([action]);
    if (action === 'roll-secret') expect(plan.steps[0]?.reason).toMatch(/delivers elsewhere/);
  });

  test.each<[string, SinkConfig, boolean]>([
    ['inheritEnv added', { ...VAULT, inheritEnv: ['CLOUDFLARE_API_TOKEN'] }, false],
    ['the timeout changed', { ...VAULT, timeoutSeconds: 5 }, false],
    ['the command changed', { ...VAULT, command: ['vault', 'kv', 'put', 'other'] }, true],
  ])('GIVEN an exec sink WHEN %s THEN its destination moved: %s', (_what, after, moved) => {
    expect(sinkDestinationChanged(VAULT, after)).toBe(moved);
  });

  test('GIVEN the config that was applied WHEN planning THEN no config changes and no changes at all', () => {
    const w = applied([k], new Map(), base());
    const { plan } = planChanges(input({ desired: [k], state: w.state, live: w.live, config: base() }));
    expect(plan.config_changes).toEqual([]);
    expect(plan.summary).toMatchObject({ configChanged: false, hasChanges: false });
    expect(renderText(plan)).not.toContain('Configuration changes');
    expect(renderMarkdown(plan)).not.toContain('[!WARNING]');
  });

  test('GIVEN a state with no snapshot and no resources WHEN planning nothing THEN the default sink is shown as added', () => {
    const { plan } = planChanges(input({ state: stateWith([]) }));
    expect(plan.steps).toEqual([]);
    expect(plan.config_changes?.map((c) => c.path)).toEqual(['/secrets/default', '/secrets/sinks/local']);
    expect(plan.summary.hasChanges).toBe(true);
  });
});

describe('rendering config changes', () => {
  const w = applied([k], new Map(), base());
  const changed = base();
  changed.sinks['gh'] = { ...GH, repository: 'attacker/loot' };
  delete changed.policy.tokenMaxLifetimeDays;
  // A value someone pasted into an exec sink's command: config should never hold one, but if it does, it is scrubbed.
  const PASTED = 'cfat_PastedIntoConfigByMistake0123456789abcdef';
  new Secret(PASTED);
  changed.sinks['hook'] = { type: 'exec', command: ['notify', `--token=${PASTED}`], timeoutSeconds: 5 };
  const { plan } = planChanges(input({ desired: [k], state: w.state, live: w.live, config: changed }));

  test('GIVEN config changes and no resource change WHEN rendered as markdown THEN a WARNING alert before the table lists them', () => {
    const md = renderMarkdown(plan);
    const alert = md.indexOf('> **⚠ Configuration changes: secret sinks and guardrails — review carefully**');
    expect(alert).toBeGreaterThan(0);
    expect(md.lastIndexOf('> [!WARNING]', alert)).toBeGreaterThan(0);
    expect(alert).toBeLessThan(md.indexOf('| account |'));
    expect(md).toContain('> ~ /secrets/sinks/gh/repository: "acme/infra" → "attacker/loot"');
    expect(md).toContain('> - /policy/tokenMaxLifetimeDays: 90');
    expect(md).toContain('**Plan: configuration changed.**');
  });

  test('GIVEN config changes WHEN rendered as text THEN a highlighted block comes first; colour only when asked', () => {
    const text = renderText(plan);
    expect(text.startsWith('⚠ Configuration changes')).toBe(true);
    expect(text).toContain('~ /secrets/sinks/gh/repository: "acme/infra" → "attacker/loot"');
    expect(text).toMatch(/^Plan: configuration changed\. 1 in sync\.$/m);
    expect(text).not.toContain('\u001b[');
    expect(renderText(plan, { color: true })).toContain('\u001b[1;7;33m⚠ Configuration changes');
  });

  test('GIVEN config changes WHEN rendered as JSON THEN config_changes and summary.configChanged are there', () => {
    const json = JSON.parse(renderJson(plan)) as { config_changes: FieldChange[]; summary: { configChanged: boolean } };
    expect(json.summary.configChanged).toBe(true);
    expect(json.config_changes.map((c) => c.path)).toEqual([
      '/secrets/sinks/gh/repository',
      '/secrets/sinks/hook',
      '/policy/tokenMaxLifetimeDays',
    ]);
  });

  test.each([
    ['text', () => renderText(plan)],
    ['markdown', () => renderMarkdown(plan)],
    ['json', () => renderJson(plan)],
  ])('GIVEN a secret value in a config field WHEN rendered as %s THEN it never appears', (_f, render) => {
    const out = render();
    expect(out).toContain('/secrets/sinks/hook');
    expect(out).not.toContain(PASTED);
    expect(out).not.toContain(Buffer.from(PASTED).toString('base64'));
  });
});
