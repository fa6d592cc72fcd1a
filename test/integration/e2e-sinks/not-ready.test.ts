/**
 * A sink that already fails its check (a missing exec program, no GitHub token, a directory where the file goes) is
 * found before a value is minted: apply, rotate and `import --roll` stop with E_SINK_NOT_READY at the token's
 * manifest, before any API write — no token created, no value rolled (the delivered one keeps working), nothing run,
 * nothing recorded — and `plan` warns about the same sink while still writing nothing.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { runCli } from '../../support/cli.js';
import { startTestEmulator, tokenBody, type TestEmulator } from '../../support/emulator.js';
import { assertNoSecretIn } from '../../support/leaks.js';
import { createWorkspace, EXAMPLE_ACCOUNT, liveResources, type Workspace } from '../../support/workspace.js';
import { READ_OPERATIONS, callsBetween, requestCounts } from '../workflow/harness.js';
import {
  ageKeygen,
  currentTokenIdOf,
  GITHUB_TOKEN,
  readSinkValue,
  startGitHubSide,
  stateTokens,
  vaultCalls,
  writeSinkRepo,
  type AgeKey,
  type GitHubSide,
  type TokenName,
} from './harness.js';

let emulator: TestEmulator;
let gh: GitHubSide;
let ws: Workspace;
let age: AgeKey;
const outputs: string[] = [];

beforeAll(async () => {
  emulator = await startTestEmulator({ rateLimit: false });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(async () => {
  await emulator.control('POST', '/reset');
  gh = await startGitHubSide();
  ws = await createWorkspace(emulator, { example: false });
  ws.env['GITHUB_TOKEN'] = GITHUB_TOKEN;
  age = await ageKeygen(ws.dir);
});
afterEach(async () => {
  emulator.assertNoContractViolations();
  outputs.push(await ws.read('.cfgitops/state.json').catch(() => ''));
  await assertNoSecretIn(emulator, outputs.splice(0), ws.env);
  await gh.close();
  await ws.cleanup();
});

const cli = async (...argv: string[]) => {
  const r = await runCli(argv, { cwd: ws.dir, env: ws.env });
  outputs.push(r.stdout, r.stderr);
  return r;
};

/** The write operations that reached the emulator since `before` (none may, when a sink is not ready). */
async function writesSince(before: Awaited<ReturnType<typeof requestCounts>>): Promise<Record<string, number>> {
  const calls = callsBetween(before, await requestCounts(emulator));
  return Object.fromEntries(Object.entries(calls).filter(([op]) => !READ_OPERATIONS.has(op)));
}

const githubWrites = (): number => gh.fake.requests.filter((r) => r.method !== 'GET').length;

/** The vault sink pointed at a program that does not exist (the rest of the config as the harness writes it). */
async function breakVaultProgram(): Promise<void> {
  const config = await ws.read('desired-state/cfgitops.yaml');
  await ws.write('desired-state/cfgitops.yaml', config.replace(JSON.stringify(process.execPath), './missing-vault'));
}

interface Breakage {
  token: TokenName;
  sink: string;
  break(): Promise<void>;
}

const breakages: Record<string, () => Breakage> = {
  'an exec sink whose program does not exist': () => ({ token: 'exec-token', sink: 'vault', break: breakVaultProgram }),
  'a github-actions sink without $GITHUB_TOKEN': () => ({
    token: 'gh-repo-token',
    sink: 'gh-repo',
    break: () => {
      delete ws.env['GITHUB_TOKEN'];
      return Promise.resolve();
    },
  }),
  'a file sink with a directory where the file goes': () => ({
    token: 'dotenv-token',
    sink: 'dotenv',
    break: async () => {
      await mkdir(join(ws.dir, '.cfgitops/tokens.env'), { recursive: true });
    },
  }),
};

describe.each(Object.keys(breakages))('GIVEN %s', (what) => {
  test('WHEN planned THEN a warning names the sink; WHEN applied THEN E_SINK_NOT_READY before any API write', async () => {
    const b = breakages[what]!();
    await writeSinkRepo(ws, { gh, age, tokens: ['json-token', b.token] });
    await b.break();
    const before = await requestCounts(emulator);

    const plan = await cli('plan', '--format', 'json');
    expect(plan.code, plan.stderr).toBe(0);
    const warnings = (JSON.parse(plan.stdout) as { warnings: { code: string; message: string }[] }).warnings;
    expect(warnings.filter((w) => w.code === 'W_SINK_NOT_READY')).toEqual([
      expect.objectContaining({ message: expect.stringContaining(`"${b.sink}"`) as unknown }),
    ]);

    const applied = await cli('apply', '--auto-approve');
    expect(applied.code, applied.stdout + applied.stderr).toBe(1);
    expect(applied.stderr).toMatch(/E_SINK_NOT_READY/);
    expect(applied.stderr).toContain(`AccountToken/`);
    expect(applied.stderr).toContain(`/${b.token}`);
    expect(applied.stderr).toMatch(/tokens\.yaml:\d+:\d+/);

    // Nothing was sent but reads, nothing recorded, nothing run.
    expect(await writesSince(before)).toEqual({});
    expect((await liveResources(emulator)).tokens).toEqual([]);
    expect(await stateTokens(ws).catch(() => ({}))).toEqual({});
    expect(await vaultCalls(ws)).toEqual([]);
    expect(githubWrites()).toBe(0);
  });
});

describe('GIVEN a delivered exec-sink token whose program then goes missing', () => {
  test('WHEN rotated THEN E_SINK_NOT_READY and the delivered value still works', async () => {
    await writeSinkRepo(ws, { gh, age, tokens: ['exec-token'] });
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    const id = (await stateTokens(ws))['exec-token']!.id;
    const value = await readSinkValue(ws, { gh, age }, 'exec-token');
    const callsBefore = (await vaultCalls(ws)).length;

    await breakVaultProgram();
    const before = await requestCounts(emulator);
    const rotated = await cli('rotate', 'exec-token');
    expect(rotated.code, rotated.stdout + rotated.stderr).toBe(1);
    expect(rotated.stderr).toMatch(/E_SINK_NOT_READY/);
    expect(rotated.stderr).toMatch(/tokens\.yaml:\d+:\d+/);

    expect(await writesSince(before)).toEqual({});
    expect(await currentTokenIdOf(emulator, value!)).toBe(id);
    expect((await stateTokens(ws))['exec-token']).toMatchObject({ id, value_status: 'delivered' });
    expect(await vaultCalls(ws)).toHaveLength(callsBefore);
    const state = await ws.stateFile();
    expect(state.pending).toEqual({});
  });
});

describe('GIVEN an unmanaged live token and a sink without its GitHub token', () => {
  test('WHEN imported with --roll THEN E_SINK_NOT_READY, nothing recorded and the live value untouched', async () => {
    await writeSinkRepo(ws, { gh, age, tokens: ['gh-repo-token'] });
    const res = await emulator.api('POST', `/accounts/${EXAMPLE_ACCOUNT}/tokens`, tokenBody(EXAMPLE_ACCOUNT));
    const { id, value } = (res.body as { result: { id: string; value: string } }).result;
    delete ws.env['GITHUB_TOKEN'];
    const before = await requestCounts(emulator);

    const imported = await cli('import', 'token', 'gh-repo-token', id, '--roll');
    expect(imported.code, imported.stdout + imported.stderr).toBe(1);
    expect(imported.stderr).toMatch(/E_SINK_NOT_READY/);
    expect(await writesSince(before)).toEqual({});
    expect(await currentTokenIdOf(emulator, value)).toBe(id);
    expect(await stateTokens(ws).catch(() => ({}))).toEqual({});
  });
});
