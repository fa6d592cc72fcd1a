import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, test } from 'vitest';
import { planChanges } from '../../../src/planner/plan-changes.js';
import { CfgitopsError } from '../../../src/errors.js';
import { renderJson, unplannedPlan } from '../../../src/planner/render-json.js';
import { renderMarkdown } from '../../../src/planner/render-markdown.js';
import { renderText } from '../../../src/planner/render-text.js';
import { ACCOUNT, input, token } from './builders.js';
import { OLD_TSIG_VALUE, richPlan, TOKEN_VALUE, TSIG_VALUE } from './rich-plan.js';
import { applied } from './world.js';

describe('renderers', () => {
  const { plan, errors } = richPlan();

  test('GIVEN the rich scenario WHEN planned THEN it holds every action (the renderers see them all)', () => {
    expect(errors).toEqual([]);
    expect(new Set(plan.steps.map((s) => s.action))).toEqual(
      new Set(['create', 'update', 'delete', 'adopt', 'replace', 'replace-exposed', 'held', 'roll-secret', 'forget']),
    );
  });

  test.each([
    ['text', () => renderText(plan, { errors })],
    ['text (colour)', () => renderText(plan, { color: true })],
    ['markdown', () => renderMarkdown(plan)],
    ['json', () => renderJson(plan)],
    ['markdown truncated', () => renderMarkdown(plan, { maxLength: 3000 })],
  ])('GIVEN secrets in the inputs WHEN rendered as %s THEN no secret value appears in any form', (_n, render) => {
    const out = render();
    for (const v of [TSIG_VALUE, OLD_TSIG_VALUE, TOKEN_VALUE]) {
      expect(out).not.toContain(v);
      expect(out).not.toContain(Buffer.from(v).toString('base64'));
    }
    expect(out).toContain('(sensitive)');
  });

  test('GIVEN a plan WHEN rendered as text without colour THEN snapshot (masked), no ANSI', () => {
    const out = renderText(plan);
    expect(out).not.toContain('\u001b[');
    expect(out).toMatchSnapshot();
  });

  test('GIVEN colour WHEN rendered as text THEN ANSI codes are used', () => {
    expect(renderText(plan, { color: true })).toContain('\u001b[32m+ create');
  });

  test.each([
    ['create', '+ create'],
    ['update', '~ update'],
    ['delete', '- delete'],
    ['adopt', '<= adopt'],
    ['replace', '-/+ replace'],
    ['roll-secret', '⟳ roll-secret'],
  ])('GIVEN a %s step WHEN rendered as text THEN it shows %s', (_a, marker) => {
    expect(renderText(plan)).toContain(marker);
  });

  test('GIVEN an in-sync plan WHEN rendered THEN "No changes." in text and markdown, no banner', () => {
    const k = token('k');
    const w = applied([k], new Map());
    const quiet = planChanges(input({ desired: [k], state: w.state, live: w.live })).plan;
    expect(renderText(quiet)).toMatch(/^No changes\. 1 in sync\.$/m);
    const md = renderMarkdown(quiet);
    expect(md).toContain('**No changes.**');
    expect(md).not.toContain('[!WARNING]');
  });

  test('GIVEN deletes and a re-created token WHEN rendered as markdown THEN banner, per-account table, one <details> per change; snapshot', () => {
    const md = renderMarkdown(plan);
    expect(md).toContain('> [!WARNING]');
    expect(md).toContain(`| \`${ACCOUNT}\` | 1 | `);
    expect(md.match(/<details>/g)).toHaveLength(plan.steps.filter((s) => s.action !== 'no-op').length);
    expect(md).toMatchSnapshot();
  });

  test('GIVEN a comment limit WHEN the markdown would exceed it THEN it is cut with a note and stays within the limit', () => {
    const md = renderMarkdown(plan, { maxLength: 3000 });
    expect(md.length).toBeLessThanOrEqual(3000);
    expect(md).toMatch(/more changed resource\(s\) not shown/);
  });

  test('GIVEN 3,000 changes WHEN rendered as markdown THEN within 65,536 characters', () => {
    const desired = Array.from({ length: 3000 }, (_, i) => token(`bulk-${i}`));
    const big = planChanges(input({ desired })).plan;
    const md = renderMarkdown(big);
    expect(md.length).toBeLessThanOrEqual(65_536);
    expect(md).toMatch(/not shown/);
  });

  test('GIVEN errors WHEN rendered THEN each format lists them with code and location', () => {
    const k = token('bad', { policies: [{ effect: 'allow', permission_groups: [{ name: 'Nope' }], resources: {} }] });
    const r = planChanges(input({ desired: [k] }));
    expect(renderText(r.plan, { errors: r.errors })).toContain('E_PERMISSION_GROUP_UNKNOWN');
    expect(renderMarkdown(r.plan, { errors: r.errors })).toContain('E_PERMISSION_GROUP_UNKNOWN');
    const json = JSON.parse(renderJson(r.plan, { errors: r.errors }));
    expect(json.errors[0]).toMatchObject({
      code: 'E_PERMISSION_GROUP_UNKNOWN',
      location: { pointer: '/spec/policies/0/permission_groups/0' },
    });
  });

  test('GIVEN plans WHEN rendered as JSON THEN they validate against schemas/plan.schema.json', () => {
    const schema = JSON.parse(readFileSync(new URL('../../../schemas/plan.schema.json', import.meta.url), 'utf8'));
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const k = token('bad', { policies: [{ effect: 'allow', permission_groups: [{ name: 'Nope' }], resources: {} }] });
    const withErrors = planChanges(input({ desired: [k] }));
    const withDir = { ...plan, manifests_dir: 'desired-state' };
    const failed = renderJson(unplannedPlan('2026-01-01T00:00:00.000Z'), {
      errors: [new CfgitopsError('E_CONFIG', 'bad', { location: { file: 'x.yaml', line: 1, col: 1 } })],
      target: { describe: 'x', emulated: true, accounts: { main: ACCOUNT } },
    });
    for (const doc of [renderJson(withDir), renderJson(withErrors.plan, { errors: withErrors.errors }), failed]) {
      const ok = validate(JSON.parse(doc));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
    expect(JSON.parse(renderJson(plan))).toMatchObject({ format_version: 1, summary: plan.summary });
  });

  test.each([
    [
      'Cloudflare',
      { describe: 'Cloudflare API at https://api.cloudflare.com/client/v4 (API token)', emulated: false },
      /^Plan against Cloudflare API at https:\/\/api\.cloudflare\.com\/client\/v4 \(API token\); accounts: main \(0123456789abcdef0123456789abcdef\)$/,
    ],
    [
      'the emulator',
      { describe: 'emulator', emulated: true },
      /^Plan against THE EMBEDDED EMULATOR — NOT CLOUDFLARE; accounts: main/,
    ],
  ])(
    'GIVEN a plan against %s WHEN rendered THEN text and Markdown name the target on the first line and accounts by alias',
    (_n, where, first) => {
      const target = { ...where, accounts: { main: ACCOUNT } };
      const text = renderText(plan, { target });
      expect(text.split('\n')[0]).toMatch(first);
      expect(text).toContain(`+ create AccountToken/main/fresh`);
      expect(text).not.toContain(`AccountToken/${ACCOUNT}/`);
      const md = renderMarkdown(plan, { target });
      expect(md.split('\n')[0]).toMatch(new RegExp(`^### cfgitops — ${first.source.slice(1)}`));
      expect(md).toContain(`| main (\`${ACCOUNT}\`) |`);
      expect(md.includes('[!CAUTION]')).toBe(where.emulated);
      expect(JSON.parse(renderJson(plan, { target })).target).toEqual(target);
    },
  );
});
