import * as nodeFs from 'node:fs/promises';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CfgitopsError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { createFileStateStore, type FileStateStoreOptions } from '../../../src/state/file-state-store.js';
import type { StateFileSystem } from '../../../src/state/state-file-system.js';
import type { StateChange } from '../../../src/state/types.js';
import { addressKey } from '../../../src/resources.js';
import { FakeClock, seededRandom } from './fake-clock.js';
import { appliedConfig, createIntent, tokenResource } from './state-fixtures.js';

let dir: string;
let statePath: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cfgitops-file-state-'));
  statePath = join(dir, '.cfgitops', 'state.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function store(overrides: Partial<FileStateStoreOptions> = {}) {
  return createFileStateStore({
    path: statePath,
    clock: new FakeClock(),
    random: Math.random,
    hostname: hostname(),
    pid: process.pid,
    owner: 'tester@host',
    log: silentLogger(),
    ...overrides,
  });
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CfgitopsError) return e.code;
    throw e;
  }
  return 'resolved';
}

describe('file state store: documents', () => {
  test('GIVEN no state file WHEN read THEN an empty document with a fresh lineage, and nothing is written', async () => {
    const doc = await store({ random: seededRandom(7) }).read();
    expect(doc).toMatchObject({ format_version: 1, serial: 0, resources: {}, pending: {} });
    expect(doc.lineage).toMatch(/^[0-9a-f]{32}$/);
    await expect(stat(statePath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('GIVEN a commit WHEN another store reads THEN it sees the same document; file 0600, dir 0700, lock gone', async () => {
    const a = store();
    const lock = await a.lock('apply', 0);
    const lineage = lock.current().lineage;
    await lock.commit([{ type: 'put-intent', intent: createIntent('i1', 'ci') }]);
    const after = await lock.commit([
      { type: 'put-resource', resource: tokenResource('ci') },
      { type: 'remove-intent', id: 'i1' },
    ]);
    await lock.release();

    const read = await store().read();
    expect(read).toEqual(after);
    expect(read).toMatchObject({ lineage, serial: 2, pending: {} });
    expect(read.resources[addressKey(tokenResource('ci'))]).toEqual(tokenResource('ci'));
    expect((await stat(statePath)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, '.cfgitops'))).mode & 0o777).toBe(0o700);
    expect(await store().lockHolder()).toBeUndefined();
  });

  test('GIVEN a written state THEN the text is stable: header first, keys sorted, trailing newline', async () => {
    const lock = await store().lock('apply', 0);
    await lock.commit([{ type: 'put-resource', resource: tokenResource('b') }]);
    await lock.commit([{ type: 'put-resource', resource: tokenResource('a') }]);
    await lock.release();
    const text = await readFile(statePath, 'utf8');
    expect(Object.keys(JSON.parse(text) as object)).toEqual([
      'format_version',
      'lineage',
      'serial',
      'resources',
      'pending',
    ]);
    const resource = (JSON.parse(text) as { resources: Record<string, object> }).resources;
    expect(Object.keys(Object.values(resource)[0]!)).toEqual([...Object.keys(tokenResource('a'))].sort());
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "serial": 2,\n');
  });

  test('GIVEN put-config commits WHEN another store reads THEN the applied config round-trips, the last one wins, and resources are untouched', async () => {
    const lock = await store().lock('apply', 0);
    await lock.commit([{ type: 'put-resource', resource: tokenResource('ci') }]);
    expect(lock.current().applied_config).toBeUndefined();
    await lock.commit([{ type: 'put-config', config: appliedConfig() }]);
    expect((await store().read()).applied_config).toEqual(appliedConfig());
    const after = await lock.commit([{ type: 'put-config', config: appliedConfig('acme/other') }]);
    await lock.release();

    const read = await store().read();
    expect(read).toEqual(after);
    expect(read.serial).toBe(3);
    expect(read.applied_config).toEqual(appliedConfig('acme/other'));
    expect(Object.keys(read.resources)).toEqual([addressKey(tokenResource('ci'))]);
    const text = await readFile(statePath, 'utf8');
    expect(Object.keys(JSON.parse(text) as object)).toEqual([
      'format_version',
      'lineage',
      'serial',
      'resources',
      'pending',
      'applied_config',
    ]);
  });

  test.each([
    [
      'a field no sink has (a token, say)',
      { ...appliedConfig(), sinks: { x: { type: 'file', path: 'p', format: 'json', token: 'v' } } },
    ],
    ['an unknown sink type', { ...appliedConfig(), sinks: { x: { type: 'vault', path: 'p' } } }],
    ['an unknown guardrail', { ...appliedConfig(), policy: { allowEverything: true } }],
    ['no digest', { ...appliedConfig(), digest: undefined }],
  ])('GIVEN a put-config with %s THEN the commit is refused before anything is written', async (_name, config) => {
    const lock = await store().lock('apply', 0);
    const change = { type: 'put-config', config } as unknown as StateChange;
    expect(await codeOf(lock.commit([change]))).toBe('E_INTERNAL');
    await lock.release();
    expect(
      await nodeFs.access(statePath).then(
        () => 'exists',
        () => 'absent',
      ),
    ).toBe('absent');
  });

  test('GIVEN ten commits started at once on one lock THEN they are applied one after another', async () => {
    const lock = await store().lock('apply', 0);
    // A commit resolves with the lock's live document: read its serial as each one resolves.
    const serials = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        lock.commit([{ type: 'put-resource', resource: tokenResource(`t${i}`) }]).then((d) => d.serial),
      ),
    );
    expect(serials).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(Object.keys((await store().read()).resources)).toHaveLength(10);
    await lock.release();
  });

  test.each([
    ['not JSON', '{\n  "format_version": 1,\n  oops\n}\n', 'E_STATE_CORRUPT', { line: 3, col: 3 }],
    ['truncated', '{\n  "format_version": 1,\n  "lineage": "ab', 'E_STATE_CORRUPT', { line: 3 }],
    [
      'wrong shape',
      '{"format_version":1,"lineage":"x","serial":-1,"resources":{},"pending":{}}',
      'E_STATE_CORRUPT',
      undefined,
    ],
    [
      'key not matching the address',
      JSON.stringify({
        format_version: 1,
        lineage: 'x',
        serial: 1,
        resources: { 'AccountToken/0123456789abcdef0123456789abcdef/other': tokenResource('ci') },
        pending: {},
      }),
      'E_STATE_CORRUPT',
      undefined,
    ],
    [
      'holding an applied config with an unknown field',
      JSON.stringify({
        format_version: 1,
        lineage: 'x',
        serial: 1,
        resources: {},
        pending: {},
        applied_config: { ...appliedConfig(), extra: 'x' },
      }),
      'E_STATE_CORRUPT',
      undefined,
    ],
    [
      'newer format',
      '{"format_version":2,"lineage":"x","serial":1,"resources":{},"pending":{},"x":1}',
      'E_STATE_VERSION',
      undefined,
    ],
  ])(
    'GIVEN a state file that is %s WHEN read or locked THEN it fails with its code, and the file is left as it was',
    async (_name, text, code, location) => {
      await nodeFs.mkdir(join(dir, '.cfgitops'));
      await writeFile(statePath, text);
      const s = store();
      const error = await s.read().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CfgitopsError);
      expect(error).toMatchObject({ code });
      if (location) expect((error as CfgitopsError).location).toMatchObject({ file: statePath, ...location });
      expect(await codeOf(s.lock('apply', 0))).toBe(code);
      expect(await readFile(statePath, 'utf8')).toBe(text);
      expect(await s.lockHolder()).toBeUndefined();
    },
  );
});

/** node:fs with one step of writing the document (its temp file) or appending to the log failing. */
function failingFs(failAt: 'writeFile' | 'sync' | 'rename' | 'appendFile' | 'datasync'): StateFileSystem {
  const crash = new Error(`simulated crash at ${failAt}`);
  return {
    ...nodeFs,
    open: async (path, flags, mode) => {
      const handle = await nodeFs.open(path, flags, mode);
      if (!path.endsWith('.tmp') && !path.endsWith('.wal')) return handle;
      const fail = <A extends unknown[]>(step: typeof failAt, fn: (...a: A) => Promise<unknown>) =>
        failAt === step ? () => Promise.reject(crash) : fn;
      return Object.assign(Object.create(handle) as typeof handle, {
        writeFile: fail('writeFile', (...a: Parameters<typeof handle.writeFile>) => handle.writeFile(...a)),
        appendFile: fail('appendFile', (...a: Parameters<typeof handle.appendFile>) => handle.appendFile(...a)),
        sync: fail('sync', () => handle.sync()),
        datasync: fail('datasync', () => handle.datasync()),
        chmod: handle.chmod.bind(handle),
        stat: handle.stat.bind(handle),
        truncate: handle.truncate.bind(handle),
        close: handle.close.bind(handle),
      });
    },
    rename: (from, to) =>
      failAt === 'rename' && from.endsWith('.tmp') ? Promise.reject(crash) : nodeFs.rename(from, to),
  };
}

describe('file state store: crashes', () => {
  test.each(['appendFile', 'datasync'] as const)(
    'GIVEN the log append dies at %s WHEN the state is read THEN it is the previous state, and the lock commits nothing more',
    async (failAt) => {
      const first = await store().lock('apply', 0);
      await first.commit([{ type: 'put-resource', resource: tokenResource('kept') }]);
      const before = structuredClone(await first.commit([{ type: 'put-resource', resource: tokenResource('also') }]));
      await first.release();

      const crashing = await store({ fs: failingFs(failAt) }).lock('apply', 0);
      const lost = [{ type: 'put-resource', resource: tokenResource('lost') }] as const;
      expect(await codeOf(crashing.commit(lost))).toBe('E_STATE_IO');
      expect(await store().read()).toEqual(before);
      expect(await codeOf(crashing.commit(lost))).toBe('E_STATE_IO');
      await crashing.release();
      expect(await store().read()).toEqual(before);
    },
  );

  test.each(['writeFile', 'sync', 'rename'] as const)(
    'GIVEN the first write of a new state dies at %s WHEN the state is read THEN there is none',
    async (failAt) => {
      const crashing = await store({ fs: failingFs(failAt) }).lock('apply', 0);
      expect(await codeOf(crashing.commit([{ type: 'put-resource', resource: tokenResource('lost') }]))).toBe(
        'E_STATE_IO',
      );
      await crashing.release();
      expect((await store().read()).serial).toBe(0);
      await expect(stat(statePath)).rejects.toMatchObject({ code: 'ENOENT' });
    },
  );

  test.each(['writeFile', 'sync', 'rename'] as const)(
    'GIVEN the compaction at release dies at %s WHEN the state is read THEN every commit is there (folded from the log), and the next lock compacts it',
    async (failAt) => {
      const first = await store().lock('apply', 0);
      await first.commit([{ type: 'put-resource', resource: tokenResource('kept') }]);
      await first.release();
      const crashing = await store({ fs: failingFs(failAt) }).lock('apply', 0);
      const after = structuredClone(
        await crashing.commit([{ type: 'put-resource', resource: tokenResource('logged') }]),
      );
      await crashing.release();
      expect(await store().lockHolder()).toBeUndefined();
      expect(await store().read()).toEqual(after);
      await expect(stat(`${statePath}.wal`)).resolves.toBeTruthy();

      const next = await store().lock('apply', 0);
      expect(next.current()).toEqual(after);
      await expect(stat(`${statePath}.wal`)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(JSON.parse(await readFile(statePath, 'utf8'))).toEqual(after);
      await next.release();
    },
  );
});

describe('file state store: locks', () => {
  test('GIVEN a held lock WHEN a second store locks with a timeout THEN it polls via the clock and fails with E_STATE_LOCKED naming the holder', async () => {
    const held = await store().lock('apply', 0);
    const clock = new FakeClock();
    const error = await store({ clock, pollIntervalMs: 100 })
      .lock('plan', 1000)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_STATE_LOCKED' });
    expect((error as Error).message).toContain(held.info.id);
    expect((error as CfgitopsError).hint).toContain(`force-unlock ${held.info.id}`);
    expect(clock.sleeps).toBe(10);
    await held.release();
  });

  test('GIVEN a held lock WHEN it is released while another store waits THEN the waiter gets it', async () => {
    const held = await store().lock('apply', 0);
    const clock = new FakeClock();
    clock.onSleep = () => held.release();
    const start = clock.now();
    const waiter = await store({ clock }).lock('apply', 60_000);
    expect(clock.now()).toBeGreaterThan(start);
    expect(waiter.info.acquired_at).toBe(new Date(clock.now()).toISOString());
    expect(await store().lockHolder()).toEqual(waiter.info);
    await waiter.release();
  });

  test('GIVEN a lock file from another host whose pid is not alive THEN it is never taken over', async () => {
    await nodeFs.mkdir(join(dir, '.cfgitops'));
    const foreign = { owner: 'ci', operation: 'apply', pid: 42, host: 'elsewhere', acquired_at: 'x', id: 'abc' };
    await writeFile(`${statePath}.lock`, JSON.stringify(foreign));
    const error = await store({ isProcessAlive: () => false })
      .lock('apply', 0)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_STATE_LOCKED' });
    expect(await store().lockHolder()).toEqual(foreign);
  });

  test('GIVEN a lock file from this host whose pid is dead THEN the next lock takes it over', async () => {
    await nodeFs.mkdir(join(dir, '.cfgitops'));
    const dead = { owner: 'ci', operation: 'apply', pid: 42, host: hostname(), acquired_at: 'x', id: 'abc' };
    await writeFile(`${statePath}.lock`, JSON.stringify(dead));
    const lock = await store({ isProcessAlive: (pid) => pid !== 42 }).lock('apply', 0);
    expect((await store().lockHolder())?.id).toBe(lock.info.id);
    await lock.release();
  });

  test('GIVEN a held lock WHEN force-unlocked with a wrong id, then the right id THEN only the right id removes it, and the old holder can no longer commit', async () => {
    const held = await store().lock('apply', 0);
    const other = store();
    expect(await codeOf(other.forceUnlock('not-the-id'))).toBe('E_STATE_LOCKED');
    expect(await other.forceUnlock(held.info.id)).toEqual(held.info);
    expect(await other.lockHolder()).toBeUndefined();
    const next = await other.lock('apply', 0);
    expect(await codeOf(held.commit([{ type: 'put-resource', resource: tokenResource('x') }]))).toBe(
      'E_STATE_CONFLICT',
    );
    await held.release();
    expect((await other.lockHolder())?.id).toBe(next.info.id);
    await next.release();
  });

  test('GIVEN a lock holder WHEN the state file is rewritten behind its back THEN its commit is refused', async () => {
    const lock = await store().lock('apply', 0);
    await lock.commit([{ type: 'put-resource', resource: tokenResource('a') }]);
    const text = await readFile(statePath, 'utf8');
    await writeFile(statePath, text.replace('"serial": 1', '"serial": 2'));
    expect(await codeOf(lock.commit([{ type: 'put-resource', resource: tokenResource('b') }]))).toBe(
      'E_STATE_CONFLICT',
    );
    await lock.release();
    expect((await store().read()).serial).toBe(2);
  });
});

describe('file state store: debris', () => {
  test('GIVEN a temp file left by a run killed before its rename WHEN the lock is taken THEN the debris is removed and the state kept', async () => {
    const first = await store().lock('apply', 0);
    const before = await first.commit([{ type: 'put-resource', resource: tokenResource('kept') }]);
    await first.release();
    const debris = join(dir, '.cfgitops', '.state.json.0a1b2c3d4e5f.tmp');
    await writeFile(debris, '{"partial":');
    const lock = await store().lock('apply', 0);
    await expect(stat(debris)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(lock.current()).toEqual(before);
    await lock.release();
  });
});
