/**
 * A sink that passes its readiness check and then fails during a real apply (exec exiting 1, GitHub answering 500 to
 * the write past the retry deadline; sinks that fail the check are refused up front, see not-ready.test.ts): the apply exits 1 naming the undelivered token, the state keeps the minted token's id as
 * `undelivered` (recorded before the sink was ever called), and once the sink is fixed the next apply rolls that same
 * token and delivers a new current value — the one minted in the failed run stops working.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { EXAMPLE_ACCOUNT, liveResources } from '../../support/workspace.js';
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

/** sha256 of a token's current value at the world.emulator. */
async function currentHash(id: string): Promise<string | undefined> {
  const res = await world.emulator.control('GET', `/resources?account=${EXAMPLE_ACCOUNT}&secrets=1`);
  const tokens = (res.body as { accounts: Record<string, { tokens: { id: string; value_sha256: string }[] }> })
    .accounts[EXAMPLE_ACCOUNT]?.tokens;
  return tokens?.find((t) => t.id === id)?.value_sha256;
}

interface Breakage {
  token: TokenName;
  /** The sink's name and (part of) its description, each of which the apply output must name exactly once. */
  sink: string;
  where: string;
  /** The sink's own reason, which must reach the user (exec stderr, GitHub's status, the fs error code). */
  reason: RegExp;
  break(): Promise<void>;
  fix(): Promise<void>;
}

const breakages: Record<string, () => Breakage> = {
  'an exec command exiting 1': () => ({
    token: 'exec-token',
    sink: 'vault',
    where: `exec ${process.execPath} (key cloudflare/exec)`,
    reason: /vault is sealed/,
    break: () => world.ws.write('vault-sealed', ''),
    fix: () => rm(join(world.ws.dir, 'vault-sealed')),
  }),
  // Writes only: the public-key GET still answers, so the sink passes the readiness check and fails at delivery.
  'GitHub answering 500 to writes past the retry deadline': () => ({
    token: 'gh-repo-token',
    sink: 'gh-repo',
    where: 'secret CF_API_TOKEN',
    reason: /\b500\b/,
    break: () => {
      world.gh.failingWrites = true;
      return Promise.resolve();
    },
    fix: () => {
      world.gh.failingWrites = false;
      return Promise.resolve();
    },
  }),
};

describe.each(Object.keys(breakages))('GIVEN %s', (what) => {
  test('WHEN applied THEN the token is recorded undelivered; WHEN fixed THEN the next apply rolls it into the sink', async () => {
    const b = breakages[what]!();
    await writeSinkRepo(world.ws, { gh: world.gh, age: world.age, tokens: ['json-token', b.token] });
    await b.break();

    const failed = await cli('apply', '--auto-approve');
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    const said = failed.stdout + failed.stderr;
    expect(said).toMatch(/E_VALUE_UNDELIVERED/);
    expect(said).toMatch(new RegExp(`${b.token}.*undelivered`));
    expect(said).toMatch(b.reason);
    // The sink is named once, in the failed step's line; no second line repeats it.
    expect(failed.stdout.split(`sink "${b.sink}"`)).toHaveLength(2);
    expect(failed.stdout.split(b.where)).toHaveLength(2);
    expect(failed.stdout).not.toMatch(/^! /m);

    // The id is recorded, undelivered; the token exists once; the healthy sink got its value anyway.
    const state = await stateTokens(world.ws);
    const id = state[b.token]!.id;
    expect(state[b.token]?.value_status).toBe('undelivered');
    expect(
      (await liveResources(world.emulator)).tokens.filter((t) => t.name === `e2e ${b.token}`).map((t) => t.id),
    ).toEqual([id]);
    expect(await readSinkValue(world.ws, { gh: world.gh, age: world.age }, b.token)).toBeUndefined();
    expect(state['json-token']?.value_status).toBe('delivered');
    const json = await readSinkValue(world.ws, { gh: world.gh, age: world.age }, 'json-token');
    expect(await currentTokenIdOf(world.emulator, json!)).toBe(state['json-token']!.id);
    const strandedHash = await currentHash(id);
    expect(strandedHash).toBeDefined();

    const plan = await cli('plan', '--format', 'json');
    const steps = (JSON.parse(plan.stdout) as { steps: { action: string; targetId?: string }[] }).steps;
    expect(steps.filter((s) => s.action !== 'no-op')).toEqual([
      expect.objectContaining({ action: 'roll-secret', targetId: id }),
    ]);

    await b.fix();
    const fixed = await cli('apply', '--auto-approve');
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);

    const after = await stateTokens(world.ws);
    expect(after[b.token]).toMatchObject({ id, value_status: 'delivered' });
    const value = await readSinkValue(world.ws, { gh: world.gh, age: world.age }, b.token);
    expect(value).toBeDefined();
    expect(await currentTokenIdOf(world.emulator, value!)).toBe(id);
    // The value minted in the failed run (never delivered anywhere) no longer works.
    expect(await currentHash(id)).not.toBe(strandedHash);
    expect((await liveResources(world.emulator)).tokens).toHaveLength(2);

    const again = await cli('plan', '--detailed-exitcode');
    expect(again.code, again.stdout + again.stderr).toBe(0);
  });
});

describe('GIVEN an exec sink that records what the state file says when it is called', () => {
  test('WHEN it refuses and is then fixed THEN every call found the token id already recorded as undelivered', async () => {
    await writeSinkRepo(world.ws, { gh: world.gh, age: world.age, tokens: ['exec-token'] });
    await world.ws.write('vault-sealed', '');
    expect((await cli('apply', '--auto-approve')).code).toBe(1);
    await rm(join(world.ws.dir, 'vault-sealed'));
    expect((await cli('apply', '--auto-approve')).code).toBe(0);

    const id = (await stateTokens(world.ws))['exec-token']!.id;
    const calls = await vaultCalls(world.ws);
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call).toMatchObject({ stateHadId: true, valueStatus: 'undelivered' });
      expect(call.env['CFGITOPS_TOKEN_ID']).toBe(id);
    }
  });
});

describe('GIVEN a delivered token whose sink then refuses', () => {
  test('WHEN rotated THEN the rotation fails undelivered on the same id; WHEN fixed THEN apply rolls it in', async () => {
    await writeSinkRepo(world.ws, { gh: world.gh, age: world.age, tokens: ['exec-token'] });
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    const id = (await stateTokens(world.ws))['exec-token']!.id;
    const first = await readSinkValue(world.ws, { gh: world.gh, age: world.age }, 'exec-token');

    await world.ws.write('vault-sealed', '');
    const rotated = await cli('rotate', 'exec-token', '--strategy', 'roll');
    expect(rotated.code, rotated.stdout + rotated.stderr).toBe(1);
    expect(rotated.stdout + rotated.stderr).toMatch(/vault is sealed/);
    expect((await stateTokens(world.ws))['exec-token']).toMatchObject({ id, value_status: 'undelivered' });
    // The roll happened: the delivered value is dead, and the sink still holds it (nothing newer arrived).
    expect(await currentTokenIdOf(world.emulator, first!)).toBeUndefined();
    expect(await readSinkValue(world.ws, { gh: world.gh, age: world.age }, 'exec-token')).toBe(first);

    await rm(join(world.ws.dir, 'vault-sealed'));
    const fixed = await cli('apply', '--auto-approve');
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect((await stateTokens(world.ws))['exec-token']).toMatchObject({ id, value_status: 'delivered' });
    expect(
      await currentTokenIdOf(
        world.emulator,
        (await readSinkValue(world.ws, { gh: world.gh, age: world.age }, 'exec-token'))!,
      ),
    ).toBe(id);
    expect((await liveResources(world.emulator)).tokens).toHaveLength(1);
  });
});
