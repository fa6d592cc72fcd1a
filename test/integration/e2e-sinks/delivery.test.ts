/**
 * Issue 5 through whole runs: `cfgitops apply --auto-approve` (in-process, real HTTP to the emulator) delivers each
 * token's value to the sink it names — file json and dotenv, age files and yaml, GitHub repository and environment
 * secrets, an exec command — and each value read back the way its user would is the token's current value.
 * Re-applying and re-delivering are harmless; `rotate` goes through the same path.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createApp } from '../../../src/app.js';
import { Secret } from '../../../src/secret.js';
import { createSecretSinks } from '../../../src/secrets/create-secret-sinks.js';
import { loadManifestsFor } from '../../../src/workflow/load.js';
import { EXAMPLE_ACCOUNT } from '../../support/workspace.js';
import {
  ageCiphertexts,
  currentTokenIdOf,
  readAllSinkValues,
  stateTokens,
  TOKEN_NAMES,
  TOKENS,
  vaultCalls,
  writeSinkRepo,
  useSinkWorld,
} from './harness.js';

const world = useSinkWorld({
  // A second token in the default file: one key per token, side by side.
  setup: () =>
    writeSinkRepo(world.ws, { gh: world.gh, age: world.age, extraTokens: { 'json-token-2': ['local', 'second'] } }),
  // Committable outputs too: ciphertext only, and what GitHub was sent is sealed.
  beforeScan: async () => {
    world.outputs.push(...(await ageCiphertexts(world.ws)), ...world.gh.fake.requests.map((r) => r.body));
  },
});
const { cli } = world;
const apply = () => cli('apply', '--auto-approve');
const values = () => readAllSinkValues(world.ws, { gh: world.gh, age: world.age });

/** Every sink holds, for its token, the current value of exactly the token id the state records, `delivered`. */
async function assertEverySinkCurrent(): Promise<Record<string, string>> {
  const state = await stateTokens(world.ws);
  const held = await values();
  const ids: Record<string, string> = {};
  for (const name of TOKEN_NAMES) {
    const value = held[name];
    expect(value, `${name} has a value in its sink`).toBeDefined();
    expect(await currentTokenIdOf(world.emulator, value!), `${name}'s sink value is current`).toBe(state[name]?.id);
    expect(state[name]?.value_status).toBe('delivered');
    ids[name] = state[name]!.id;
  }
  return ids;
}

describe('GIVEN one token per sink type', () => {
  test('WHEN applied THEN every sink holds its token current value, in the form its user reads', async () => {
    const r = await apply();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    await assertEverySinkCurrent();

    const state = await stateTokens(world.ws);
    for (const name of TOKEN_NAMES) {
      const [sink, key] = TOKENS[name];
      expect(state[name]?.sink).toEqual({ sink, key: key ?? name });
    }
    // file sinks: mode 0600, one key per token.
    for (const file of ['.cfgitops/secrets.json', '.cfgitops/tokens.env']) {
      expect((await stat(join(world.ws.dir, file))).mode & 0o777).toBe(0o600);
    }
    const json = JSON.parse(await world.ws.read('.cfgitops/secrets.json')) as Record<string, string>;
    expect(Object.keys(json).sort()).toEqual(['json-token', 'second']);
    expect(await currentTokenIdOf(world.emulator, json['second']!)).toBe(state['json-token-2']?.id);
    expect(state['json-token-2']?.id).not.toBe(state['json-token']?.id);
    expect((await world.ws.read('.cfgitops/tokens.env')).trim().split('\n')).toHaveLength(1);
    // age: armored ciphertext, no plaintext (checked again by the leak scan over the committed files).
    const [ageFile, ageYaml] = await ageCiphertexts(world.ws);
    expect(ageFile).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/);
    expect(ageYaml).toMatch(/reader: \|/);
    const held = await values();
    for (const text of [ageFile, ageYaml]) {
      for (const v of Object.values(held)) expect(text).not.toContain(v);
    }
    // GitHub: both scopes got a sealed box under the expected secret name, and nothing else.
    expect([...world.gh.fake.stored('acme/app').keys()]).toEqual(['CF_API_TOKEN']);
    expect([...world.gh.fake.stored('acme/app:prod').keys()]).toEqual(['CF_PROD_TOKEN']);
    // exec: the value came on stdin only; metadata in CFGITOPS_*.
    const calls = await vaultCalls(world.ws);
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    const value = held['exec-token']!;
    expect(call.stdinLength).toBe(value.length);
    expect(JSON.stringify(call.argv)).not.toContain(value);
    expect(Object.values(call.env).some((v) => v.includes(value))).toBe(false);
    expect(call.env).toMatchObject({
      CFGITOPS_TOKEN_NAME: 'exec-token',
      CFGITOPS_TOKEN_ID: state['exec-token']!.id,
      CFGITOPS_SECRET_KEY: 'cloudflare/exec',
      CFGITOPS_CF_NAME: 'e2e exec-token',
      CFGITOPS_ACCOUNT_ID: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    // A sink is handed a value only after the state records the token id (as undelivered).
    expect(call).toMatchObject({ stateHadId: true, valueStatus: 'undelivered' });
  });

  test('WHEN applied twice THEN the second run changes no sink', async () => {
    expect((await apply()).code).toBe(0);
    const files = [
      '.cfgitops/secrets.json',
      '.cfgitops/tokens.env',
      'secrets/tokens/deploy.age',
      'secrets/tokens.yaml',
    ];
    const before = await Promise.all(
      files.map(async (f) => [await world.ws.read(f), (await stat(join(world.ws.dir, f))).mtimeMs]),
    );
    const ghPuts = world.gh.fake.requests.filter((r) => r.method === 'PUT').length;

    const again = await apply();
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/No changes/);
    const after = await Promise.all(
      files.map(async (f) => [await world.ws.read(f), (await stat(join(world.ws.dir, f))).mtimeMs]),
    );
    expect(after).toEqual(before);
    expect(world.gh.fake.requests.filter((r) => r.method === 'PUT')).toHaveLength(ghPuts);
    expect(await vaultCalls(world.ws)).toHaveLength(1);
  });

  test('WHEN every sink is handed the same value again THEN each still holds it and the next plan is empty', async () => {
    expect((await apply()).code).toBe(0);
    const ids = await assertEverySinkCurrent();
    const held = await values();

    // Re-delivery as a crashed run's successor would do it: the sinks built from the repository's own Config.
    const stdout = { write: (s: string) => (world.outputs.push(s), true) };
    const app = createApp({ env: world.ws.env, cwd: world.ws.dir, stdout, stderr: stdout });
    const sinks = createSecretSinks((await loadManifestsFor(app, 'desired-state')).config, {
      env: app.env,
      clock: app.clock,
      log: app.log,
      cwd: app.cwd,
    });
    const state = await stateTokens(world.ws);
    for (const name of TOKEN_NAMES) {
      const rec = state[name]!;
      const meta = { name, id: rec.id, account: EXAMPLE_ACCOUNT, cf_name: `e2e ${name}` };
      await sinks.get(rec.sink!.sink).put(rec.sink!, meta, new Secret(held[name]!));
    }

    expect(await assertEverySinkCurrent()).toEqual(ids);
    expect(await values()).toEqual(held);
    expect(Object.keys(JSON.parse(await world.ws.read('.cfgitops/secrets.json')) as object).sort()).toEqual([
      'json-token',
      'second',
    ]);
    expect((await world.ws.read('.cfgitops/tokens.env')).trim().split('\n')).toHaveLength(1);
    const plan = await cli('plan', '--detailed-exitcode');
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });

  test('WHEN rotated THEN each sink holds a new current value of the same token id and the old values are dead', async () => {
    expect((await apply()).code).toBe(0);
    const ids = await assertEverySinkCurrent();
    const old = await values();

    const r = await cli('rotate', '--strategy', 'roll');
    expect(r.code, r.stdout + r.stderr).toBe(0);

    expect(await assertEverySinkCurrent()).toEqual(ids);
    const now = await values();
    for (const name of TOKEN_NAMES) {
      expect(now[name], name).not.toBe(old[name]);
      expect(await currentTokenIdOf(world.emulator, old[name]!), `${name}'s old value`).toBeUndefined();
    }
    const calls = await vaultCalls(world.ws);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toMatchObject({ stateHadId: true, valueStatus: 'undelivered' });
    // Every rendering of what the repository now holds goes through the leak scan with both generations of values.
    for (const format of ['text', 'json', 'markdown']) {
      const plan = await cli('plan', '--format', format, '--detailed-exitcode');
      expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    }
    expect((await cli('rotate', '--dry-run')).code).toBe(0);
    expect((await cli('state', 'list')).code).toBe(0);
  });
});
