import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { CfgitopsError } from '../../../src/errors.js';
import { addressKey } from '../../../src/resources.js';
import { POSTGRES_MIGRATIONS } from '../../../src/state/postgres-migrations.js';
import type { LockOwner, StateStore } from '../../../src/state/types.js';
import { startPostgres, TEST_PG_PASSWORD, type TestPostgres } from '../../support/postgres.js';
import { bundleChild, startChild } from './child-bundle.js';
import { FakeClock } from './fake-clock.js';
import { PgStores } from './pg-test-store.js';
import { ACCOUNT_A, ACCOUNT_B, appliedConfig, createIntent, tokenResource } from './state-fixtures.js';

let server: TestPostgres;
let admin: pg.Client;
let holdPgLock: string;
const stores = new PgStores(() => server.url);
let n = 0;
/** Each test its own workspace. */
const ws = () => `ws-${++n}-${Math.random().toString(16).slice(2, 8)}`;

beforeAll(async () => {
  server = await startPostgres();
  admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  holdPgLock = await bundleChild(fileURLToPath(new URL('children/hold-pg-lock.ts', import.meta.url)));
});
afterEach(() => stores.closeAll());
afterAll(async () => {
  await admin.end();
  await server.stop();
});

async function errorOf(p: Promise<unknown>): Promise<CfgitopsError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof CfgitopsError)) throw new Error(`expected a CfgitopsError, got ${String(e)}`);
  return e;
}

describe('postgres state store: documents', () => {
  test('GIVEN a fresh workspace WHEN resources and intents are committed THEN another store reads exactly the same document', async () => {
    const workspace = ws();
    const store = stores.open(workspace);
    await store.init!();
    expect(await store.read()).toMatchObject({ format_version: 1, serial: 0, resources: {}, pending: {} });

    const lock = await store.lock('apply', 0);
    await lock.commit([{ type: 'put-intent', intent: createIntent('i1', 'ci') }]);
    await lock.commit([
      { type: 'put-resource', resource: tokenResource('ci') },
      { type: 'remove-intent', id: 'i1' },
      { type: 'put-resource', resource: tokenResource('gone') },
    ]);
    await lock.commit([
      { type: 'put-resource', resource: { ...tokenResource('ci'), id: 'rolled' } },
      { type: 'remove-resource', key: addressKey(tokenResource('gone')) },
    ]);
    const last = lock.current();
    await lock.release();

    const read = await stores.open(workspace).read();
    expect(read).toEqual(last);
    expect(read.serial).toBe(3);
    expect(Object.values(read.resources)).toEqual([{ ...tokenResource('ci'), id: 'rolled' }]);
    expect(read.pending).toEqual({});
  });

  test('GIVEN 200 recorded resources WHEN one is updated and one removed THEN the commit writes only those rows (O(change))', async () => {
    const workspace = ws();
    const lock = await stores.open(workspace).lock('apply', 0);
    const names = Array.from({ length: 200 }, (_, i) => `t${i}`);
    await lock.commit(names.map((name) => ({ type: 'put-resource', resource: tokenResource(name) })));
    // xmin: the transaction that last wrote a row version. Rows the next commit does not name keep theirs.
    const versions = async () =>
      new Map(
        (
          await admin.query<{ key: string; xmin: string }>(
            'SELECT key, xmin::text AS xmin FROM cfgitops_resources WHERE workspace = $1',
            [workspace],
          )
        ).rows.map((r) => [r.key, r.xmin]),
      );
    const before = await versions();
    await lock.commit([
      { type: 'put-resource', resource: { ...tokenResource('t7'), id: 'rolled' } },
      { type: 'remove-resource', key: addressKey(tokenResource('t9')) },
    ]);
    const after = await versions();
    await lock.release();
    const rewritten = [...after].filter(([key, xmin]) => before.get(key) !== xmin).map(([key]) => key);
    expect(rewritten).toEqual([addressKey(tokenResource('t7'))]);
    expect(after.size).toBe(199);
  });

  test('GIVEN put-config commits WHEN another store reads THEN the applied config round-trips and the last one wins', async () => {
    const workspace = ws();
    const lock = await stores.open(workspace).lock('apply', 0);
    await lock.commit([{ type: 'put-resource', resource: tokenResource('ci') }]);
    expect((await stores.open(workspace).read()).applied_config).toBeUndefined();
    await lock.commit([{ type: 'put-config', config: appliedConfig() }]);
    expect((await stores.open(workspace).read()).applied_config).toEqual(appliedConfig());
    const last = await lock.commit([{ type: 'put-config', config: appliedConfig('acme/other') }]);
    await lock.release();
    const read = await stores.open(workspace).read();
    expect(read).toEqual(last);
    expect(read).toMatchObject({ serial: 3, applied_config: appliedConfig('acme/other') });
    expect(Object.values(read.resources)).toEqual([tokenResource('ci')]);
  });

  test('GIVEN a per-account lock WHEN it commits a put-config THEN refused and nothing is written (the snapshot is workspace-wide)', async () => {
    const workspace = ws();
    const lock = await stores.open(workspace).lock('apply', 0, { accounts: [ACCOUNT_A] });
    const error = await errorOf(lock.commit([{ type: 'put-config', config: appliedConfig() }]));
    expect(error.code).toBe('E_INTERNAL');
    await lock.release();
    expect(await stores.open(workspace).read()).toMatchObject({ serial: 0 });
    expect((await stores.open(workspace).read()).applied_config).toBeUndefined();
  });

  test('GIVEN a database at schema version 1 holding a state WHEN this cfgitops opens it THEN migration 2 adds the column, the state reads unchanged, and a config can be recorded', async () => {
    await admin.query('CREATE DATABASE schema_v1');
    const url = server.url.replace(/\/postgres$/, '/schema_v1');
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(
      'CREATE TABLE cfgitops_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    await c.query(POSTGRES_MIGRATIONS[0]!.sql);
    await c.query('INSERT INTO cfgitops_schema_migrations (version) VALUES (1)');
    await c.query(
      `INSERT INTO cfgitops_workspaces (workspace, format_version, lineage, serial) VALUES ('old', 1, 'lin-old', 4)`,
    );
    await c.query(`INSERT INTO cfgitops_resources (workspace, key, account, doc) VALUES ('old', $1, $2, $3::jsonb)`, [
      addressKey(tokenResource('ci')),
      ACCOUNT_A,
      JSON.stringify(tokenResource('ci')),
    ]);

    const store = stores.open('old', { url });
    // A read-only command never migrates: it says what is behind and which command fixes it.
    expect((await errorOf(stores.open('old', { url }).read())).code).toBe('E_STATE_SCHEMA');
    expect(await store.init!()).toMatch(/migrated to version 2/);
    const before = await store.read();
    expect(before).toEqual({
      format_version: 1,
      lineage: 'lin-old',
      serial: 4,
      resources: { [addressKey(tokenResource('ci'))]: tokenResource('ci') },
      pending: {},
    });
    const { rows } = await c.query<{ version: number }>(
      'SELECT version FROM cfgitops_schema_migrations ORDER BY version',
    );
    await c.end();
    expect(rows.map((r) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));

    const lock = await store.lock('apply', 0);
    await lock.commit([{ type: 'put-config', config: appliedConfig() }]);
    await lock.release();
    expect(await stores.open('old', { url }).read()).toEqual({ ...before, serial: 5, applied_config: appliedConfig() });
  });

  test('GIVEN several stores starting at once on a fresh database WHEN they migrate THEN the schema is applied once', async () => {
    await admin.query('CREATE DATABASE fresh_migrations');
    const url = server.url.replace(/\/postgres$/, '/fresh_migrations');
    const many = Array.from({ length: 4 }, () => stores.open(ws(), { url }));
    await Promise.all(many.map((s) => s.init!()));
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const { rows } = await c.query('SELECT version FROM cfgitops_schema_migrations');
    await c.end();
    expect(rows).toEqual(POSTGRES_MIGRATIONS.map((m) => ({ version: m.version })));
  });

  test('GIVEN a database migrated by a newer cfgitops, or a newer format_version THEN E_STATE_VERSION', async () => {
    await admin.query('CREATE DATABASE newer_schema');
    const url = server.url.replace(/\/postgres$/, '/newer_schema');
    await stores.open(ws(), { url }).init!();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query('INSERT INTO cfgitops_schema_migrations (version) VALUES (999)');
    await c.end();
    expect((await errorOf(stores.open(ws(), { url }).read())).code).toBe('E_STATE_VERSION');

    const workspace = ws();
    const lock = await stores.open(workspace).lock('apply', 0);
    await lock.release();
    await admin.query('UPDATE cfgitops_workspaces SET format_version = 2 WHERE workspace = $1', [workspace]);
    expect((await errorOf(stores.open(workspace).read())).code).toBe('E_STATE_VERSION');
  });

  test('GIVEN a URL with a password THEN describe() and connection errors never contain it', async () => {
    const store = stores.open(ws());
    expect(store.describe()).not.toContain(TEST_PG_PASSWORD);
    expect(store.describe()).toContain('***');
    const unreachable = stores.open(ws(), { url: server.url.replace(/:(\d+)\//, ':1/') });
    const error = await errorOf(unreachable.read());
    expect(error.code).toBe('E_STATE_IO');
    expect(JSON.stringify({ ...error.toJSON(), stack: error.stack })).not.toContain(TEST_PG_PASSWORD);
  });

  test('GIVEN no URL in config WHEN CFGITOPS_PG_URL or DATABASE_URL is set THEN it is used; neither THEN E_CONFIG', async () => {
    expect(await stores.open(ws(), { url: undefined, env: { DATABASE_URL: server.url } }).read()).toMatchObject({
      serial: 0,
    });
    expect(await stores.open(ws(), { url: undefined, env: { CFGITOPS_PG_URL: server.url } }).read()).toMatchObject({
      serial: 0,
    });
    expect(() => stores.open(ws(), { url: undefined, env: {} })).toThrow(
      expect.objectContaining({ code: 'E_CONFIG' }) as Error,
    );
  });
});

describe('postgres state store: locks', () => {
  test('GIVEN one run holding the lock WHEN a second locks THEN E_STATE_LOCKED names the holder, and it waits its turn', async () => {
    const workspace = ws();
    const first = await stores.open(workspace).lock('apply', 0);
    const error = await errorOf(stores.open(workspace).lock('apply', 0));
    expect(error.code).toBe('E_STATE_LOCKED');
    expect(error.message).toContain(first.info.id);
    expect(error.hint).toContain(`force-unlock ${first.info.id}`);
    expect(await stores.open(workspace).lockHolder()).toEqual(first.info);

    const clock = new FakeClock();
    clock.onSleep = () => first.release();
    const start = clock.now();
    const second = await stores.open(workspace, { clock }).lock('apply', 60_000);
    expect(clock.sleeps).toBeGreaterThan(0);
    expect(Date.parse(second.info.acquired_at)).toBe(clock.now());
    expect(clock.now()).toBeGreaterThan(start);
    expect(await stores.open(workspace).lockHolder()).toEqual(second.info);
    await second.release();
  });

  test('GIVEN two applies started at once on one workspace THEN they serialize and every commit lands', async () => {
    const workspace = ws();
    const apply = async (prefix: string, store: StateStore) => {
      const lock = await store.lock('apply', 30_000);
      for (let i = 0; i < 10; i++) {
        await lock.commit([{ type: 'put-resource', resource: tokenResource(`${prefix}-${i}`) }]);
      }
      await lock.release();
    };
    await Promise.all([apply('a', stores.open(workspace)), apply('b', stores.open(workspace))]);
    const doc = await stores.open(workspace).read();
    expect(doc.serial).toBe(20);
    expect(Object.keys(doc.resources)).toHaveLength(20);
  });

  test('GIVEN locks on disjoint accounts THEN both are held at once and both commit; overlapping or whole-state locks wait', async () => {
    const workspace = ws();
    const a = await stores.open(workspace).lock('apply', 0, { accounts: [ACCOUNT_A] });
    const b = await stores.open(workspace).lock('apply', 0, { accounts: [ACCOUNT_B] });
    expect((await errorOf(stores.open(workspace).lock('apply', 0, { accounts: [ACCOUNT_B, ACCOUNT_A] }))).code).toBe(
      'E_STATE_LOCKED',
    );
    expect((await errorOf(stores.open(workspace).lock('apply', 0))).code).toBe('E_STATE_LOCKED');

    await a.commit([{ type: 'put-resource', resource: tokenResource('a1', ACCOUNT_A) }]);
    await b.commit([{ type: 'put-intent', intent: createIntent('ib', 'b1', ACCOUNT_B) }]);
    await a.commit([{ type: 'put-resource', resource: tokenResource('a2', ACCOUNT_A) }]);
    await b.commit([
      { type: 'put-resource', resource: tokenResource('b1', ACCOUNT_B) },
      { type: 'remove-intent', id: 'ib' },
    ]);
    const foreign = await errorOf(a.commit([{ type: 'put-resource', resource: tokenResource('x', ACCOUNT_B) }]));
    expect(foreign.code).toBe('E_INTERNAL');
    await a.release();
    await b.release();

    const doc = await stores.open(workspace).read();
    expect(doc.serial).toBe(4);
    expect(Object.keys(doc.resources).sort()).toEqual(
      [tokenResource('a1'), tokenResource('a2'), tokenResource('b1', ACCOUNT_B)].map((r) => addressKey(r)).sort(),
    );
    const whole = await stores.open(workspace).lock('apply', 0);
    expect(whole.current()).toEqual(doc);
    await whole.release();
  });

  test('GIVEN a child process holding the lock WHEN it is SIGKILLed THEN no stale lock remains and the next lock succeeds', async () => {
    const workspace = ws();
    const child = startChild(holdPgLock, [workspace], { CFGITOPS_PG_URL: server.url });
    const info = JSON.parse(await child.nextLine()) as LockOwner;
    const store = stores.open(workspace);
    const error = await errorOf(store.lock('apply', 0));
    expect(error.code).toBe('E_STATE_LOCKED');
    expect(error.message).toContain(info.id);
    expect(await store.lockHolder()).toEqual(info);

    child.process.kill('SIGKILL');
    expect((await child.exited).signal).toBe('SIGKILL');
    // The server ends the session when it sees the socket close; the wait covers that moment, not a timing bound.
    const lock = await store.lock('apply', 60_000);
    expect(await store.lockHolder()).toEqual(lock.info);
    await lock.release();
    expect(await store.lockHolder()).toBeUndefined();
  });

  test('GIVEN a held lock WHEN force-unlocked with a wrong id, then its id THEN the holder session ends and it can no longer commit', async () => {
    const workspace = ws();
    const held = await stores.open(workspace).lock('apply', 0);
    await held.commit([{ type: 'put-resource', resource: tokenResource('before') }]);
    const other = stores.open(workspace);
    expect((await errorOf(other.forceUnlock('not-the-id'))).code).toBe('E_STATE_LOCKED');
    expect(await other.forceUnlock(held.info.id)).toEqual(held.info);

    const next = await other.lock('apply', 10_000);
    expect((await errorOf(held.commit([{ type: 'put-resource', resource: tokenResource('late') }]))).code).toBe(
      'E_STATE_CONFLICT',
    );
    await held.release();
    expect(Object.keys(next.current().resources)).toEqual([addressKey(tokenResource('before'))]);
    await next.release();
    expect(await other.forceUnlock()).toBeUndefined();
  });
});

describe('postgres state store: stale writers', () => {
  test.each([
    ['serial', 'UPDATE cfgitops_workspaces SET serial = serial + 1 WHERE workspace = $1'],
    ['lineage', "UPDATE cfgitops_workspaces SET lineage = 'other' WHERE workspace = $1"],
  ])(
    'GIVEN a whole-state lock WHEN the %s changes behind it THEN its commit is refused and nothing is written',
    async (_what, sql) => {
      const workspace = ws();
      const lock = await stores.open(workspace).lock('apply', 0);
      await lock.commit([{ type: 'put-resource', resource: tokenResource('a') }]);
      await admin.query(sql, [workspace]);
      const error = await errorOf(lock.commit([{ type: 'put-resource', resource: tokenResource('b') }]));
      expect(error.code).toBe('E_STATE_CONFLICT');
      await lock.release();
      expect(Object.keys((await stores.open(workspace).read()).resources)).toHaveLength(1);
    },
  );

  test('GIVEN an account lock WHEN another account commits THEN no conflict; WHEN its own account changes behind it THEN refused', async () => {
    const workspace = ws();
    const lock = await stores.open(workspace).lock('apply', 0, { accounts: [ACCOUNT_A] });
    await admin.query('UPDATE cfgitops_workspaces SET serial = serial + 5 WHERE workspace = $1', [workspace]);
    const doc = await lock.commit([{ type: 'put-resource', resource: tokenResource('a1') }]);
    expect(doc.serial).toBe(6);
    await admin.query('UPDATE cfgitops_account_serials SET serial = serial + 1 WHERE workspace = $1 AND account = $2', [
      workspace,
      ACCOUNT_A,
    ]);
    const error = await errorOf(lock.commit([{ type: 'put-resource', resource: tokenResource('a2') }]));
    expect(error.code).toBe('E_STATE_CONFLICT');
    await lock.release();
  });
});
