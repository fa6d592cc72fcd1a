/**
 * Issue 13's token lifecycle defects, end to end: the CLI (in-process, real HTTP) against the emulator, whose control
 * API marks tokens exposed and moves its clock; the CLI's clock is moved by the same amount, as if days had passed.
 * Each test failed on the code before the fix:
 * - a `status: disabled` token was created active and its value delivered (the next plan wanted a status PUT);
 * - an expires_on in the past was E_TIME_RANGE at load, failing every plan from the day the token expired;
 * - a prevent-destroy token revoked as exposed failed plan and drift (no report) until `state rm`;
 * - an exposed token was a plain `replace` (or a roll of the leaked id), with no ::error and no exit code of its own.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { systemClock, type Clock } from '../../../src/effects.js';
import { runCli } from '../../support/cli.js';
import { useE2eWorld } from '../../support/e2e-world.js';
import { EXAMPLE_ACCOUNT, liveResources, verifySinkValues } from '../../support/workspace.js';

const world = useE2eWorld({ example: false });
const DAY_MS = 86_400_000;
let offsetMs = 0;
const clock: Clock = { now: () => systemClock.now() + offsetMs, sleep: (ms, signal) => systemClock.sleep(ms, signal) };

async function cli(...argv: string[]) {
  const r = await runCli(argv, { cwd: world.ws.dir, env: world.ws.env, clock });
  world.outputs.push(r.stdout, r.stderr);
  return r;
}

/** Days pass, for the emulator and for the CLI alike. */
async function advanceDays(days: number): Promise<void> {
  const res = await world.emulator.control('POST', '/clock/advance', { ms: days * DAY_MS });
  expect(res.status).toBe(200);
  offsetMs += days * DAY_MS;
}

function config(tokens = ''): string {
  return [
    'apiVersion: cfgitops.dev/v1',
    'kind: Config',
    'metadata: {name: config}',
    'spec:',
    `  accounts: {main: ${EXAMPLE_ACCOUNT}}`,
    ...(tokens === '' ? [] : [`  tokens: {${tokens}}`]),
    '',
  ].join('\n');
}

function tokenDoc(name: string, extra: { spec?: string[]; annotations?: string[] } = {}): string {
  return [
    'apiVersion: cfgitops.dev/v1',
    'kind: AccountToken',
    'metadata:',
    `  name: ${name}`,
    '  account: main',
    ...(extra.annotations && extra.annotations.length > 0
      ? ['  annotations:', ...extra.annotations.map((a) => `    ${a}`)]
      : []),
    'spec:',
    `  name: cfgitops ${name}`,
    '  policies:',
    '    - effect: allow',
    '      permission_groups: [{name: DNS Read}]',
    `      resources: {com.cloudflare.api.account.${EXAMPLE_ACCOUNT}: "*"}`,
    ...(extra.spec ?? []).map((l) => `  ${l}`),
    '',
  ].join('\n');
}

async function writeManifests(tokens: string[], tokensConfig = ''): Promise<void> {
  await world.ws.write('desired-state/config.yaml', config(tokensConfig));
  await world.ws.write('desired-state/tokens.yaml', tokens.join('---\n'));
}

async function apply(): Promise<void> {
  const r = await cli('apply', '--auto-approve');
  expect(r.code, r.stdout + r.stderr).toBe(0);
}

type JsonPlan = {
  steps: { action: string; address: { name: string }; reason: string; targetId?: string; decision?: unknown }[];
  warnings: { code: string; message: string }[];
  summary: { hasChanges: boolean };
};

async function planJson(): Promise<JsonPlan> {
  const r = await cli('plan', '--format', 'json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as JsonPlan;
}

async function expectEmptyPlan(): Promise<void> {
  const r = await cli('plan', '--detailed-exitcode');
  expect(r.code, r.stdout + r.stderr).toBe(0);
}

const changes = (p: JsonPlan) =>
  p.steps.filter((s) => s.action !== 'no-op').map((s) => `${s.action} ${s.address.name}`);

async function markExposed(id: string): Promise<void> {
  const res = await world.emulator.control('PUT', `/accounts/${EXAMPLE_ACCOUNT}/tokens/${id}/status`, {
    status: 'revoked (exposed)',
  });
  expect(res.status).toBe(200);
}

async function tokenNamed(cfName: string) {
  return (await liveResources(world.emulator)).tokens.filter((t) => t.name === cfName);
}

beforeEach(() => {
  offsetMs = 0;
});

describe('GIVEN a token declared status: disabled (defect 1)', () => {
  test('WHEN applied THEN it is disabled before its value is delivered, and the next plan is empty', async () => {
    await writeManifests([tokenDoc('parked', { spec: ['status: disabled'] })]);
    await apply();
    const [live] = await tokenNamed('cfgitops parked');
    expect(live?.status).toBe('disabled');
    expect(await verifySinkValues(world.emulator, world.ws)).toEqual({ parked: live?.id });
    await expectEmptyPlan();
  });

  test('WHEN the status PUT fails after the POST THEN no value is delivered, and the next apply finishes it', async () => {
    await writeManifests([tokenDoc('parked', { spec: ['status: disabled'] })]);
    const rules = [{ kind: 'error', operationId: 'account-api-tokens-update-token', status: 400 }];
    expect((await world.emulator.control('PUT', '/faults', { rules })).status).toBe(200);
    const failed = await cli('apply', '--auto-approve');
    expect(failed.code).toBe(1);
    const [half] = await tokenNamed('cfgitops parked');
    expect(half?.status).toBe('active');
    expect(await world.ws.sinkValues()).toEqual({});
    const rec = Object.values((await world.ws.stateFile()).resources)[0];
    expect(rec).toMatchObject({ id: half?.id, complete: false, value_status: 'undelivered' });

    expect((await world.emulator.control('PUT', '/faults', { rules: [] })).status).toBe(200);
    const next = await planJson();
    expect(next.steps.map((s) => [s.action, s.reason.split(';')[0]])).toEqual([
      ['update', 'finish create: PUT the declared status after the POST'],
    ]);
    await apply();
    const [done] = await tokenNamed('cfgitops parked');
    expect(done).toMatchObject({ id: half?.id, status: 'disabled' });
    expect(await verifySinkValues(world.emulator, world.ws)).toEqual({ parked: half?.id });
    expect(Object.values((await world.ws.stateFile()).resources)[0]).not.toHaveProperty('complete');
    await expectEmptyPlan();
  });
});

describe('GIVEN a token that expires as its manifest declares (defect 3)', () => {
  const expiring = () => new Date(systemClock.now() + DAY_MS).toISOString().replace(/\.\d+Z$/, 'Z');

  test('WHEN its expires_on has passed THEN validate, plan and drift still work, and moving expires_on renews it', async () => {
    const expiresOn = expiring();
    await writeManifests([tokenDoc('short', { spec: [`expires_on: ${expiresOn}`] })]);
    await apply();
    const [before] = await tokenNamed('cfgitops short');

    await advanceDays(2);
    expect((await cli('validate')).code).toBe(0);
    const expired = await planJson();
    expect(changes(expired)).toEqual([]);
    expect(expired.warnings.map((w) => w.code)).toEqual(['W_TOKEN_EXPIRED']);
    await expectEmptyPlan();
    const drift = await cli('drift');
    expect(drift.code, drift.stdout + drift.stderr).toBe(0);

    // Renewed: expires_on moved later; tokens.onExpired: recreate (the default) gives a new token.
    const later = new Date(clock.now() + 30 * DAY_MS).toISOString().replace(/\.\d+Z$/, 'Z');
    await writeManifests([tokenDoc('short', { spec: [`expires_on: ${later}`] })]);
    expect(changes(await planJson())).toEqual(['replace short']);
    await apply();
    const [after] = await tokenNamed('cfgitops short');
    expect(after?.id).not.toBe(before?.id);
    expect(after?.status).toBe('active');
    expect(await verifySinkValues(world.emulator, world.ws)).toEqual({ short: after?.id });
    await expectEmptyPlan();
  });

  test('WHEN renewed with tokens.onExpired: roll THEN the same id is revived by a PUT and its value rolled', async () => {
    const expiresOn = expiring();
    await writeManifests([tokenDoc('short', { spec: [`expires_on: ${expiresOn}`] })], 'onExpired: roll');
    await apply();
    const [before] = await tokenNamed('cfgitops short');
    await advanceDays(2);
    const later = new Date(clock.now() + 30 * DAY_MS).toISOString().replace(/\.\d+Z$/, 'Z');
    await writeManifests([tokenDoc('short', { spec: [`expires_on: ${later}`] })], 'onExpired: roll');
    expect(changes(await planJson())).toEqual(['update short']);
    await apply();
    const [after] = await tokenNamed('cfgitops short');
    expect(after).toMatchObject({ id: before?.id, status: 'active' });
    expect(await verifySinkValues(world.emulator, world.ws)).toEqual({ short: before?.id });
    await expectEmptyPlan();
  });
});

describe('GIVEN a token Cloudflare revokes as exposed', () => {
  test('WHEN planned THEN its own action, an ::error with --github, drift exit 3, and apply replaces it with a new token', async () => {
    // tokens.onRevoked: roll would roll the leaked id: an exposed token is replaced whatever it says.
    await writeManifests([tokenDoc('leaky')], 'onRevoked: roll');
    await apply();
    const [leaked] = await tokenNamed('cfgitops leaky');
    await markExposed(leaked!.id);

    const planned = await planJson();
    expect(changes(planned)).toEqual(['replace-exposed leaky']);
    expect(planned.steps[0]!.reason).toMatch(/^SECURITY: .*never rolled/);

    const summary = `${world.ws.dir}/summary.md`;
    const gh = await runCli(['plan', '--github'], {
      cwd: world.ws.dir,
      env: { ...world.ws.env, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
      clock,
    });
    world.outputs.push(gh.stdout, gh.stderr);
    expect(gh.code, gh.stderr).toBe(0);
    expect(gh.stderr).toMatch(
      new RegExp(
        `^::error file=desired-state/tokens.yaml,line=1,col=1,title=token exposed::AccountToken/main/leaky \\(id ${leaked!.id}\\) was revoked by Cloudflare as exposed`,
        'm',
      ),
    );
    expect(await world.ws.read('summary.md')).toMatch(/Security incident: Cloudflare revoked 1 token\(s\) as exposed/);

    const drift = await cli('drift', '--format', 'json');
    expect(drift.code).toBe(3);
    const report = JSON.parse(drift.stdout) as { exposed: boolean; findings: { kind: string }[] };
    expect(report.exposed).toBe(true);
    expect(report.findings.map((f) => f.kind)).toEqual(['token-exposed']);

    await apply();
    const after = await tokenNamed('cfgitops leaky');
    expect(after).toHaveLength(1);
    expect(after[0]!.id).not.toBe(leaked!.id);
    expect(after[0]!.status).toBe('active');
    expect(await verifySinkValues(world.emulator, world.ws)).toEqual({ leaky: after[0]!.id });
    await expectEmptyPlan();
    expect((await cli('drift')).code).toBe(0);
  });
});

describe('GIVEN a prevent-destroy token revoked as exposed (defect 2)', () => {
  const guarded = (more: string[] = []) =>
    tokenDoc('guarded', { annotations: ['cfgitops.dev/prevent-destroy: "true"', ...more] });

  test('WHEN planned THEN a held step asks for the decision while the rest of the plan goes ahead; approve-replace replaces it', async () => {
    await writeManifests([guarded(), tokenDoc('other')]);
    await apply();
    const [leaked] = await tokenNamed('cfgitops guarded');
    await markExposed(leaked!.id);
    // Another change in the same account must not be blocked by the held one.
    await writeManifests([guarded(), tokenDoc('other', { spec: ['not_before: 2025-01-01T00:00:00Z'] })]);

    const text = await cli('plan');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('|| held AccountToken/main/guarded');
    expect(text.stdout).toContain(`DECISION NEEDED: replace this token (id ${leaked!.id}`);
    expect(text.stdout).toContain(`cfgitops.dev/approve-replace: "${leaked!.id}"`);
    const drift = await cli('drift');
    expect(drift.code, drift.stderr).toBe(3);
    expect(drift.stdout).toMatch(/decision-needed: AccountToken\/main\/guarded → held/);

    await apply();
    expect((await tokenNamed('cfgitops guarded'))[0]?.id).toBe(leaked!.id);
    expect(changes(await planJson())).toEqual(['held guarded']);

    await writeManifests([
      guarded([`cfgitops.dev/approve-replace: "${leaked!.id}"`]),
      tokenDoc('other', { spec: ['not_before: 2025-01-01T00:00:00Z'] }),
    ]);
    expect(changes(await planJson())).toEqual(['replace-exposed guarded']);
    await apply();
    const [fresh] = await tokenNamed('cfgitops guarded');
    expect(fresh?.id).not.toBe(leaked!.id);
    const state = await world.ws.stateFile();
    expect(state.resources[`AccountToken/${EXAMPLE_ACCOUNT}/guarded`]?.prevent_destroy).toBe(true);
    await expectEmptyPlan();
  });

  test('WHEN the annotation is removed from the manifest THEN it takes effect although state recorded the flag', async () => {
    await writeManifests([guarded()]);
    await apply();
    const [leaked] = await tokenNamed('cfgitops guarded');
    await markExposed(leaked!.id);
    await writeManifests([tokenDoc('guarded')]);
    expect((await world.ws.stateFile()).resources[`AccountToken/${EXAMPLE_ACCOUNT}/guarded`]?.prevent_destroy).toBe(
      true,
    );
    expect(changes(await planJson())).toEqual(['replace-exposed guarded']);
    await apply();
    const [fresh] = await tokenNamed('cfgitops guarded');
    expect(fresh?.id).not.toBe(leaked!.id);
    expect(await verifySinkValues(world.emulator, world.ws)).toEqual({ guarded: fresh?.id });
    await expectEmptyPlan();
  });
});
