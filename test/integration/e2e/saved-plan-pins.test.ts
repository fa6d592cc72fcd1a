/**
 * A saved plan pins the TSIG secrets it was made with (salted scrypt digests, secret-pins.ts): `apply PLAN` refuses
 * it when a secret changed in between, instead of sending a value nobody planned with — and applies it when nothing
 * changed. The pins never contain the secret. Only secrets read through an applied reference are pinned: a new one
 * (here: a TSIG created by the plan) is not read by plan, and apply reads it after review (docs/security.md).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { useE2eWorld } from '../../support/e2e-world.js';
import { liveResources } from '../../support/workspace.js';

const world = useE2eWorld();
const { cli } = world;
const KEY = 'desired-state/secrets/tsig-ns1.key';

describe('GIVEN a plan saved with --out', () => {
  test('WHEN an applied TSIG secret changes before apply THEN E_PLAN_STALE names it and nothing is sent; unchanged THEN it applies', async () => {
    // The reference is applied first: only through an applied reference does plan read (and so pin) a secret.
    const first = await cli('apply', '--auto-approve');
    expect(first.code, first.stderr).toBe(0);
    const secret = 'cmV2aWV3ZWQtc2VjcmV0LXZhbHVlLTAxMjM0NTY3ODk=';
    await world.ws.write(KEY, `${secret}\n`);
    const saved = await cli('plan', '--out', 'reviewed.plan');
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toContain('/secret: (sensitive) → (sensitive)');
    const digest = /\((sha256:[0-9a-f]{64})\)/.exec(saved.stdout)?.[1];
    expect(digest).toBeDefined();
    const file = await world.ws.read('reviewed.plan');
    expect(file).not.toContain(secret);
    expect(file).not.toContain(Buffer.from(secret).toString('base64'));
    expect(JSON.parse(file)).toMatchObject({ secret_pins: { kdf: expect.stringMatching(/^scrypt:/) as unknown } });

    // In Actions, apply --github tells later steps why it stopped (outcome=stale) and writes the step summary.
    Object.assign(world.ws.env, {
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: join(world.ws.dir, 'summary.md'),
      GITHUB_OUTPUT: join(world.ws.dir, 'output.txt'),
    });
    await world.ws.write(KEY, 'c29tZW9uZS1lbHNlcy1zZWNyZXQtdmFsdWU=\n');
    const refused = await cli('apply', 'reviewed.plan', '--github');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(
      /E_PLAN_STALE[\s\S]*TSIG secrets changed[\s\S]*SecondaryDnsTsig\/[0-9a-f]{32}\/ns1-transfer/,
    );
    expect(await world.ws.read('output.txt')).toBe('outcome=stale\n');
    expect(refused.stderr).toMatch(/^::error .*title=E_PLAN_STALE::/m);

    await world.ws.write(KEY, `${secret}\n`);
    // Nothing was sent: the reviewed secret still differs from the live one.
    expect((await cli('plan')).stdout).toContain('/secret: (sensitive) → (sensitive)');
    const applied = await cli('apply', 'reviewed.plan', '--github');
    expect(applied.code, applied.stderr).toBe(0);
    expect(await world.ws.read('output.txt')).toBe('outcome=stale\noutcome=applied\n');
    expect((await cli('plan')).stdout).not.toContain('/secret');
    const summary = await world.ws.read('summary.md');
    expect(summary).toMatch(/### ❌ cfgitops apply[\s\S]*E_PLAN_STALE[\s\S]*### ✅ cfgitops apply: applied/);
    expect(summary).toContain('The plan that was applied');
    expect(summary).not.toContain(secret);
  });

  test('WHEN a TSIG with a new reference is planned THEN its secret is not read or pinned, and apply reads it after review', async () => {
    const saved = await cli('plan', '--out', 'reviewed.plan');
    expect(saved.code, saved.stderr).toBe(0);
    const pins = (JSON.parse(await world.ws.read('reviewed.plan')) as { secret_pins: { digests: object } }).secret_pins;
    expect(pins.digests).toEqual({});
    const atApply = 'YXBwbHktdGltZS1zZWNyZXQtdmFsdWUtMDEyMzQ1Njc4OQ==';
    await world.ws.write(KEY, `${atApply}\n`);
    const applied = await cli('apply', 'reviewed.plan');
    expect(applied.code, applied.stderr).toBe(0);
    expect((await liveResources(world.emulator)).tsigs).toHaveLength(1);
    // The reference is now applied: the next plan compares through it (and finds the apply-time value live).
    const next = await cli('plan');
    expect(next.stdout).not.toContain('/secret');
    expect(next.stdout).not.toContain('W_SECRET_UNCHECKED');
  });
});

describe('GIVEN a state written before TSIG secret references were recorded', () => {
  test('WHEN planned THEN the secret is unchecked (not read); an apply with nothing to send records the reference, and the next plan compares through it', async () => {
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    // As an older cfgitops left it: the WAL folded into state.json, no secret_ref.
    const doc = await world.ws.stateFile();
    for (const r of Object.values(doc.resources)) delete r.secret_ref;
    await world.ws.write('.cfgitops/state.json', JSON.stringify(doc));
    await rm(join(world.ws.dir, '.cfgitops/state.json.wal'), { force: true });

    const before = await cli('plan');
    expect(before.stdout).toContain('so plan did not read it');
    expect(before.stdout).toContain('(sensitive, from a new reference, checked at apply)');
    const applied = await cli('apply', '--auto-approve');
    expect(applied.code, applied.stderr).toBe(0);
    expect(
      Object.values((await world.ws.stateFile()).resources)
        .map((r) => r.secret_ref)
        .filter(Boolean),
    ).toEqual([{ fromFile: 'secrets/tsig-ns1.key' }]);
    const after = await cli('plan', '--detailed-exitcode');
    expect(after.code, after.stdout).toBe(0);
  });
});
