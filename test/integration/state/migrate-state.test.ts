import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { runStateMigrate } from '../../../src/cli/commands/state-migrate.js';
import type { StateBackendConfig } from '../../../src/config/types.js';
import { systemClock } from '../../../src/effects.js';
import { CfgitopsError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { createStateStore } from '../../../src/state/create-state-store.js';
import { migrateState } from '../../../src/state/migrate-state.js';
import type { StateStore } from '../../../src/state/types.js';
import { startPostgres, TEST_PG_PASSWORD, type TestPostgres } from '../../support/postgres.js';
import { ACCOUNT_A, ACCOUNT_B, appliedConfig, createIntent, tokenResource } from './state-fixtures.js';

let server: TestPostgres;
let dir: string;
const open: StateStore[] = [];

beforeAll(async () => {
  server = await startPostgres();
  dir = await mkdtemp(join(tmpdir(), 'cfgitops-migrate-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

function openStore(config: StateBackendConfig): StateStore {
  const store = createStateStore(config, {
    clock: systemClock,
    random: Math.random,
    hostname: hostname(),
    pid: process.pid,
    owner: 'tester@host',
    log: silentLogger(),
    env: { CFGITOPS_PG_URL: server.url },
    cwd: dir,
  });
  open.push(store);
  return store;
}

async function seed(store: StateStore): Promise<void> {
  const lock = await store.lock('apply', 0);
  await lock.commit([
    { type: 'put-resource', resource: { ...tokenResource('ci'), prevent_destroy: true } },
    { type: 'put-resource', resource: tokenResource('deploy', ACCOUNT_B) },
    { type: 'put-config', config: appliedConfig() },
  ]);
  await lock.commit([{ type: 'put-intent', intent: createIntent('i-pending', 'next', ACCOUNT_A) }]);
  await lock.release();
}

describe('migrateState', () => {
  test('GIVEN a file state WHEN migrated file → postgres → file THEN lineage, serial, resources and journal are exact', async () => {
    const file = openStore({ backend: 'file', path: 'a/state.json' });
    await seed(file);
    const original = await file.read();
    expect(original.applied_config).toEqual(appliedConfig());

    const db = openStore({ backend: 'postgres', workspace: 'round-trip' });
    expect(await migrateState(file, db)).toMatchObject({ serial: 2, resources: 2, pending: 1, copied: true });
    expect(await db.read()).toEqual(original);

    const back = openStore({ backend: 'file', path: 'b/state.json' });
    await migrateState(db, back);
    expect(await back.read()).toEqual(original);
    expect(await readFile(join(dir, 'b/state.json'), 'utf8')).toBe(await readFile(join(dir, 'a/state.json'), 'utf8'));

    // The migrated state keeps working: a commit on the target continues the serial.
    const lock = await db.lock('apply', 0);
    expect((await lock.commit([{ type: 'remove-intent', id: 'i-pending' }])).serial).toBe(3);
    await lock.release();
  });

  test('GIVEN a target with a different non-empty state THEN it is refused unless forced; the same state is a no-op', async () => {
    const source = openStore({ backend: 'file', path: 'c/state.json' });
    await seed(source);
    const target = openStore({ backend: 'postgres', workspace: 'occupied' });
    const lock = await target.lock('apply', 0);
    await lock.commit([{ type: 'put-resource', resource: tokenResource('other') }]);
    await lock.release();

    const refused = await migrateState(source, target).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CfgitopsError);
    expect(refused).toMatchObject({ code: 'E_STATE_CONFLICT' });
    expect(Object.keys((await target.read()).resources)).toEqual([expect.stringContaining('/other')]);

    expect((await migrateState(source, target, { force: true })).copied).toBe(true);
    expect(await target.read()).toEqual(await source.read());

    // A forced copy of a state without an applied config clears the target's.
    const bare = openStore({ backend: 'file', path: 'e/state.json' });
    const bareLock = await bare.lock('apply', 0);
    await bareLock.commit([{ type: 'put-resource', resource: tokenResource('only') }]);
    await bareLock.release();
    await migrateState(bare, target, { force: true });
    expect(await target.read()).toEqual(await bare.read());
    expect((await target.read()).applied_config).toBeUndefined();
    expect((await migrateState(source, target, { force: true })).copied).toBe(true);
    expect((await migrateState(source, target)).copied).toBe(false);
  });
});

describe('runStateMigrate', () => {
  test('GIVEN a file backend WHEN `state migrate --to postgres` THEN the state is copied and the report names both without the password', async () => {
    const source: StateBackendConfig = { backend: 'file', path: 'd/state.json' };
    await seed(openStore(source));
    const out: string[] = [];
    const code = await runStateMigrate(
      { source, openStore, output: { out: (t) => out.push(t), err: (t) => out.push(t), isTTY: false, color: false } },
      { to: 'postgres', workspace: 'from-cli', url: server.url },
    );
    expect(code).toBe(0);
    expect(out.join('')).not.toContain(TEST_PG_PASSWORD);
    expect(out.join('')).toContain('from-cli');
    expect(await openStore({ backend: 'postgres', workspace: 'from-cli' }).read()).toEqual(
      await openStore(source).read(),
    );
  });

  test.each([
    [{ backend: 'file', path: '.cfgitops/state.json' } as const, { to: 'file' } as const],
    [{ backend: 'postgres', workspace: 'prod' } as const, { to: 'postgres' } as const],
  ])('GIVEN source %o WHEN migrating to the same place %o THEN E_USAGE', async (source, options) => {
    const error = await runStateMigrate(
      { source, openStore, output: { out: () => undefined, err: () => undefined, isTTY: false, color: false } },
      options,
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_USAGE' });
  });
});
