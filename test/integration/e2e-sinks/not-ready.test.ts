/**
 * A sink that already fails its check (a missing exec program, no GitHub token, a directory where the file goes) is
 * found before a value is minted: apply, rotate and `import --roll` stop with E_SINK_NOT_READY at the token's
 * manifest, before any API write — no token created, no value rolled (the delivered one keeps working), nothing run,
 * nothing recorded. `plan` contacts only sinks already applied as configured (docs/security.md): a sink nobody applied
 * yet is listed as unchecked, an applied one that broke since is warned about — and plan still writes nothing.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { tokenBody } from '../../support/emulator.js';
import { EXAMPLE_ACCOUNT, liveResources } from '../../support/workspace.js';
import { READ_OPERATIONS, callsBetween, requestCounts } from '../workflow/harness.js';
import {
  currentTokenIdOf,
  readSinkValue,
  stateTokens,
  vaultCalls,
  writeSinkRepo,
  type TokenName,
  useSinkWorld,
} from './harness.js';

const world = useSinkWorld();
const { cli } = world;

/** The write operations that reached the world.emulator since `before` (none may, when a sink is not ready). */
async function writesSince(before: Awaited<ReturnType<typeof requestCounts>>): Promise<Record<string, number>> {
  const calls = callsBetween(before, await requestCounts(world.emulator));
  return Object.fromEntries(Object.entries(calls).filter(([op]) => !READ_OPERATIONS.has(op)));
}

const githubWrites = (): number => world.gh.fake.requests.filter((r) => r.method !== 'GET').length;

/** The vault sink pointed at a program that does not exist (the rest of the config as the harness writes it). */
async function breakVaultProgram(): Promise<void> {
  const config = await world.ws.read('desired-state/cfgitops.yaml');
  await world.ws.write(
    'desired-state/cfgitops.yaml',
    config.replace(JSON.stringify(process.execPath), './missing-vault'),
  );
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
      delete world.ws.env['GITHUB_TOKEN'];
      return Promise.resolve();
    },
  }),
  'a file sink with a directory where the file goes': () => ({
    token: 'dotenv-token',
    sink: 'dotenv',
    break: async () => {
      await mkdir(join(world.ws.dir, '.cfgitops/tokens.env'), { recursive: true });
    },
  }),
};

describe.each(Object.keys(breakages))('GIVEN %s', (what) => {
  test('WHEN planned THEN the unapplied sink is listed unchecked; WHEN applied THEN E_SINK_NOT_READY before any API write', async () => {
    const b = breakages[what]!();
    await writeSinkRepo(world.ws, { gh: world.gh, age: world.age, tokens: ['json-token', b.token] });
    await b.break();
    const before = await requestCounts(world.emulator);

    const plan = await cli('plan', '--format', 'json');
    expect(plan.code, plan.stderr).toBe(0);
    const warnings = (JSON.parse(plan.stdout) as { warnings: { code: string; message: string }[] }).warnings;
    // Nothing applied yet: plan contacts no sink (a GitHub sink's check would send $tokenEnv to the PR's apiUrl).
    expect(warnings.filter((w) => w.code === 'W_SINK_NOT_READY')).toEqual([]);
    expect(warnings.filter((w) => w.code === 'W_SINK_UNCHECKED')).toContainEqual(
      expect.objectContaining({ message: expect.stringContaining(`"${b.sink}"`) as unknown }),
    );

    const applied = await cli('apply', '--auto-approve');
    expect(applied.code, applied.stdout + applied.stderr).toBe(1);
    expect(applied.stderr).toMatch(/E_SINK_NOT_READY/);
    expect(applied.stderr).toContain(`AccountToken/`);
    expect(applied.stderr).toContain(`/${b.token}`);
    expect(applied.stderr).toMatch(/tokens\.yaml:\d+:\d+/);

    // Nothing was sent but reads, nothing recorded, nothing run.
    expect(await writesSince(before)).toEqual({});
    expect((await liveResources(world.emulator)).tokens).toEqual([]);
    expect(await stateTokens(world.ws).catch(() => ({}))).toEqual({});
    expect(await vaultCalls(world.ws)).toEqual([]);
    expect(githubWrites()).toBe(0);
  });
});

describe('GIVEN an applied github-actions sink that loses $GITHUB_TOKEN', () => {
  test('WHEN a new token for it is planned THEN plan checks the reviewed sink and warns, writing nothing', async () => {
    await writeSinkRepo(world.ws, { gh: world.gh, age: world.age, tokens: ['json-token', 'gh-repo-token'] });
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    await world.emulator.api(
      'DELETE',
      `/accounts/${EXAMPLE_ACCOUNT}/tokens/${(await stateTokens(world.ws))['gh-repo-token']!.id}`,
    );
    delete world.ws.env['GITHUB_TOKEN'];
    const before = await requestCounts(world.emulator);
    const githubWritesBefore = githubWrites();

    const plan = await cli('plan', '--format', 'json');
    expect(plan.code, plan.stderr).toBe(0);
    const warnings = (JSON.parse(plan.stdout) as { warnings: { code: string; message: string }[] }).warnings;
    expect(warnings.filter((w) => w.code === 'W_SINK_NOT_READY')).toEqual([
      expect.objectContaining({ message: expect.stringContaining('"gh-repo"') as unknown }),
    ]);
    expect(warnings.filter((w) => w.code === 'W_SINK_UNCHECKED')).toEqual([]);
    expect(await writesSince(before)).toEqual({});
    expect(githubWrites()).toBe(githubWritesBefore);
  });
});

describe('GIVEN a delivered exec-sink token whose program then goes missing', () => {
  test('WHEN rotated THEN E_SINK_NOT_READY and the delivered value still works', async () => {
    await writeSinkRepo(world.ws, { gh: world.gh, age: world.age, tokens: ['exec-token'] });
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    const id = (await stateTokens(world.ws))['exec-token']!.id;
    const value = await readSinkValue(world.ws, { gh: world.gh, age: world.age }, 'exec-token');
    const callsBefore = (await vaultCalls(world.ws)).length;

    await breakVaultProgram();
    const before = await requestCounts(world.emulator);
    const rotated = await cli('rotate', 'exec-token');
    expect(rotated.code, rotated.stdout + rotated.stderr).toBe(1);
    expect(rotated.stderr).toMatch(/E_SINK_NOT_READY/);
    expect(rotated.stderr).toMatch(/tokens\.yaml:\d+:\d+/);

    expect(await writesSince(before)).toEqual({});
    expect(await currentTokenIdOf(world.emulator, value!)).toBe(id);
    expect((await stateTokens(world.ws))['exec-token']).toMatchObject({ id, value_status: 'delivered' });
    expect(await vaultCalls(world.ws)).toHaveLength(callsBefore);
    const state = await world.ws.stateFile();
    expect(state.pending).toEqual({});
  });
});

describe('GIVEN an unmanaged live token and a sink without its GitHub token', () => {
  test('WHEN imported with --roll THEN E_SINK_NOT_READY, nothing recorded and the live value untouched', async () => {
    await writeSinkRepo(world.ws, { gh: world.gh, age: world.age, tokens: ['gh-repo-token'] });
    const res = await world.emulator.api('POST', `/accounts/${EXAMPLE_ACCOUNT}/tokens`, tokenBody(EXAMPLE_ACCOUNT));
    const { id, value } = (res.body as { result: { id: string; value: string } }).result;
    delete world.ws.env['GITHUB_TOKEN'];
    const before = await requestCounts(world.emulator);

    const imported = await cli('import', 'token', 'gh-repo-token', id, '--roll');
    expect(imported.code, imported.stdout + imported.stderr).toBe(1);
    expect(imported.stderr).toMatch(/E_SINK_NOT_READY/);
    expect(await writesSince(before)).toEqual({});
    expect(await currentTokenIdOf(world.emulator, value)).toBe(id);
    expect(await stateTokens(world.ws).catch(() => ({}))).toEqual({});
  });
});
