/**
 * The file backend's write-ahead log on a real filesystem: commits append (the document is untouched until a
 * compaction), readers without the lock fold the log, a run that died leaves a log the next reader and lock fold —
 * torn tail and all — and damage anywhere but the tail is reported.
 */
import fc from 'fast-check';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CfgitopsError } from '../../../src/errors.js';
import { createFileStateStore, type FileStateStoreOptions } from '../../../src/state/file-state-store.js';
import { applyStateChanges, type StateChange, type StateDocument } from '../../../src/state/types.js';
import { FakeClock } from './fake-clock.js';
import { createIntent, tokenResource } from './state-fixtures.js';

let dir: string;
let statePath: string;
let walPath: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cfgitops-wal-'));
  statePath = join(dir, 'state.json');
  walPath = `${statePath}.wal`;
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
    ...overrides,
  });
}

const put = (name: string): StateChange => ({ type: 'put-resource', resource: tokenResource(name) });

/** Commits under a lock that is then abandoned (never released), as by a run that was SIGKILLed. */
async function diedAfter(batches: StateChange[][]): Promise<StateDocument> {
  const lock = await store().lock('apply', 0);
  for (const changes of batches) await lock.commit(changes);
  const committed = structuredClone(lock.current());
  await store().forceUnlock(lock.info.id);
  return committed;
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

describe('file state: write-ahead log', () => {
  test('GIVEN a run committing WHEN a reader reads without the lock THEN it sees every commit, while the document is not rewritten; release compacts', async () => {
    const lock = await store().lock('apply', 0);
    await lock.commit([put('first')]);
    const document = await stat(statePath);
    for (let i = 0; i < 20; i++) await lock.commit([put(`t${i}`)]);
    await lock.commit([{ type: 'put-intent', intent: createIntent('i1', 'pending') }]);

    const read = await store().read();
    expect(read).toEqual(lock.current());
    expect(read.serial).toBe(22);
    const now = await stat(statePath);
    expect([now.ino, now.mtimeMs, now.size]).toEqual([document.ino, document.mtimeMs, document.size]);
    expect((await stat(walPath)).mode & 0o777).toBe(0o600);
    expect((await readFile(walPath, 'utf8')).split('\n')).toHaveLength(22);

    await lock.release();
    await expect(stat(walPath)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(JSON.parse(await readFile(statePath, 'utf8'))).toEqual(read);
  });

  test.each([
    ['no torn tail', ''],
    ['a record cut short', '1a2b3c4d {"lineage":"x","ser'],
    ['zeros', '\0'.repeat(64)],
  ])(
    'GIVEN a run that died with %s at the end of its log WHEN read, then locked THEN every commit that returned is there and the log is compacted away',
    async (_name, tail) => {
      const committed = await diedAfter([[put('a')], [put('b')], [{ type: 'remove-resource', key: 'x' }, put('c')]]);
      if (tail !== '') await appendFile(walPath, tail);
      expect(await store().read()).toEqual(committed);

      const next = await store().lock('apply', 0);
      expect(next.current()).toEqual(committed);
      await expect(stat(walPath)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(JSON.parse(await readFile(statePath, 'utf8'))).toEqual(committed);
      const after = await next.commit([put('d')]);
      expect(after.serial).toBe(committed.serial + 1);
      await next.release();
      expect(await store().read()).toEqual(after);
    },
  );

  test('GIVEN a damaged record before the last one WHEN read or locked THEN E_STATE_CORRUPT names the log and line, and both files are left as they were', async () => {
    await diedAfter([[put('a')], [put('b')], [put('c')], [put('d')]]);
    const lines = (await readFile(walPath, 'utf8')).split('\n');
    lines[1] = lines[1]!.replace('cf-c', 'cf-X');
    await writeFile(walPath, lines.join('\n'));
    const documentBefore = await readFile(statePath, 'utf8');

    const error = await store()
      .read()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_STATE_CORRUPT', location: { file: walPath, line: 2 } });
    expect(await codeOf(store().lock('apply', 0))).toBe('E_STATE_CORRUPT');
    expect(await readFile(walPath, 'utf8')).toBe(lines.join('\n'));
    expect(await readFile(statePath, 'utf8')).toBe(documentBefore);
    expect(await store().lockHolder()).toBeUndefined();
  });

  test('GIVEN a state file older than its log (restored from a backup) THEN it is refused, not silently merged', async () => {
    const first = await store().lock('apply', 0);
    await first.commit([put('a')]);
    const old = await readFile(statePath, 'utf8'); // serial 1
    await first.commit([put('b')]);
    await first.release(); // compacted: the document is at serial 2
    await diedAfter([[put('c')]]); // the log starts at serial 3
    await writeFile(statePath, old);
    expect(await codeOf(store().read())).toBe('E_STATE_CORRUPT');
  });

  test('GIVEN a log the document already contains (compaction died before removing it) THEN its records are skipped', async () => {
    const committed = await diedAfter([[put('a')], [put('b')], [put('c')]]);
    const log = await readFile(walPath, 'utf8');
    const lock = await store().lock('apply', 0); // compacts and removes the log
    await lock.release();
    await writeFile(walPath, log);
    expect(await store().read()).toEqual(committed);
  });

  test('GIVEN a small compaction threshold WHEN a run commits THEN the log is compacted into the document during the run and readers see every commit throughout', async () => {
    const lock = await store({ minCompactBytes: 0 }).lock('apply', 0);
    let compactions = 0;
    let ino = -1;
    for (let i = 0; i < 30; i++) {
      await lock.commit([put(`t${i}`)]);
      const s = await stat(statePath);
      if (s.ino !== ino) compactions++;
      ino = s.ino;
      expect((await store().read()).serial).toBe(i + 1);
    }
    // The log reaches the document's size after about as many commits as there are resources: O(log n) rewrites.
    expect(compactions).toBeGreaterThan(2);
    expect(compactions).toBeLessThan(10);
    await lock.release();
  });

  test('GIVEN any batches, a crash at any point and any torn tail THEN a reader and the next lock see exactly the commits that returned', async () => {
    const name = fc.constantFrom('a', 'b', 'c', 'd');
    const change: fc.Arbitrary<StateChange> = fc.oneof(
      name.map(put),
      name.map((n) => ({ type: 'remove-resource' as const, key: `AccountToken/${tokenResource(n).account}/${n}` })),
      fc.constantFrom('i1', 'i2').map((id) => ({ type: 'put-intent' as const, intent: createIntent(id, 'x') })),
      fc.constantFrom('i1', 'i2').map((id) => ({ type: 'remove-intent' as const, id })),
    );
    const torn = fc.oneof(
      fc.constant(''),
      fc.string({ maxLength: 40 }).map((s) => s.replace(/\n/g, '')),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(change, { maxLength: 3 }), { minLength: 1, maxLength: 8 }),
        torn,
        fc.boolean(),
        async (batches, tail, release) => {
          await rm(dir, { recursive: true, force: true });
          const lock = await store({ minCompactBytes: 300 }).lock('apply', 0);
          let model = structuredClone(lock.current());
          for (const changes of batches) {
            await lock.commit(changes);
            model = { ...applyStateChanges(model, changes), serial: model.serial + 1 };
            expect(await store().read()).toEqual(model);
          }
          if (release) await lock.release();
          else await store().forceUnlock(lock.info.id);
          if (tail !== '') await appendFile(walPath, tail).catch(() => undefined);
          expect(await store().read()).toEqual(model);
          const next = await store().lock('apply', 0);
          expect(next.current()).toEqual(model);
          await next.release();
        },
      ),
      { numRuns: 25 },
    );
  });
});
