import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import * as fsPromises from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Secret } from '../../../src/secret.js';
import { createSecretSinks } from '../../../src/secrets/create-secret-sinks.js';
import { parseDotenv } from '../../../src/secrets/dotenv.js';
import type { SinkFileSystem } from '../../../src/secrets/sink-deps.js';
import type { SecretSink } from '../../../src/secrets/types.js';
import { capturedLogger, configWith, frozenClock, tempDir, token, tokenValue } from './helpers.js';

const run = promisify(execFile);

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

function fileSink(format: 'json' | 'dotenv', path = '.cfgitops/secrets.out', fs?: SinkFileSystem): SecretSink {
  const sinks = createSecretSinks(configWith({ local: { type: 'file', path, format } }), {
    env: {},
    clock: frozenClock,
    log: capturedLogger().log,
    cwd: dir,
    ...(fs ? { fs } : {}),
  });
  return sinks.get('local');
}

describe('file sink, JSON', () => {
  test('GIVEN no file WHEN a value is put THEN the file holds {key: value} with mode 0600 and no temp file is left', async () => {
    const sink = fileSink('json');
    const v = tokenValue();
    await sink.put({ sink: 'local', key: 'ci-deploy' }, token, new Secret(v));
    const path = join(dir, '.cfgitops/secrets.out');
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ 'ci-deploy': v });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, '.cfgitops'))).toEqual(['secrets.out']);
  });

  test('GIVEN other keys and a looser mode WHEN a key is replaced THEN other keys are kept and the mode is 0600', async () => {
    const path = join(dir, 'secrets.json');
    await writeFile(path, JSON.stringify({ other: 'keep-me-please', 'ci-deploy': 'old-value-123' }));
    await chmod(path, 0o644);
    const v = tokenValue();
    await fileSink('json', 'secrets.json').put({ sink: 'local', key: 'ci-deploy' }, token, new Secret(v));
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ other: 'keep-me-please', 'ci-deploy': v });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  test('GIVEN 20 concurrent puts to one file WHEN all finish THEN every key is present (puts are serialized)', async () => {
    const sink = fileSink('json');
    const values = Array.from({ length: 20 }, () => tokenValue());
    await Promise.all(values.map((v, i) => sink.put({ sink: 'local', key: `k${i}` }, token, new Secret(v))));
    const doc = JSON.parse(await readFile(join(dir, '.cfgitops/secrets.out'), 'utf8'));
    expect(doc).toEqual(Object.fromEntries(values.map((v, i) => [`k${i}`, v])));
  });

  test('GIVEN puts that queue behind a write WHEN they finish THEN they share writes, and each settles with its value on disk', async () => {
    let renames = 0;
    const counting: SinkFileSystem = {
      ...fsPromises,
      rename: async (from, to) => {
        renames++;
        await fsPromises.rename(from, to);
      },
    };
    const sink = fileSink('json', '.cfgitops/secrets.out', counting);
    const path = join(dir, '.cfgitops/secrets.out');
    const values = Array.from({ length: 20 }, () => tokenValue());
    await Promise.all(
      values.map(async (v, i) => {
        await sink.put({ sink: 'local', key: `k${i}` }, token, new Secret(v));
        // Settled means durable: the file already holds this value.
        expect(JSON.parse(await readFile(path, 'utf8'))[`k${i}`]).toBe(v);
      }),
    );
    // The first put writes alone; the 19 that queued behind it go into one (or a few) more writes.
    expect(renames).toBeGreaterThanOrEqual(2);
    expect(renames).toBeLessThan(10);
  });

  test('GIVEN a batch whose write fails WHEN the puts settle THEN each fails with its own key and no value in the message', async () => {
    const failing: SinkFileSystem = {
      ...fsPromises,
      rename: () => Promise.reject(Object.assign(new Error('EIO'), { code: 'EIO' })),
    };
    const sink = fileSink('json', 'out/s.json', failing);
    const values = Array.from({ length: 5 }, () => tokenValue());
    const errors = await Promise.all(
      values.map((v, i) => sink.put({ sink: 'local', key: `k${i}` }, token, new Secret(v)).catch((e: unknown) => e)),
    );
    errors.forEach((err, i) => {
      expect(err).toMatchObject({ code: 'E_SINK_WRITE', sink: 'local', key: `k${i}` });
      for (const v of values) expect((err as Error).message).not.toContain(v);
    });
  });

  test('GIVEN the same value put twice WHEN the second put runs THEN the file is not rewritten (idempotent)', async () => {
    const sink = fileSink('json');
    const v = new Secret(tokenValue());
    await sink.put({ sink: 'local', key: 'a' }, token, v);
    const path = join(dir, '.cfgitops/secrets.out');
    const before = await stat(path);
    await sink.put({ sink: 'local', key: 'a' }, token, v);
    expect((await stat(path)).ino).toBe(before.ino);
  });

  test('GIVEN a file that is not a JSON object WHEN a value is put THEN E_SINK_WRITE and the file is untouched', async () => {
    const path = join(dir, 'secrets.json');
    await writeFile(path, '{"half": ');
    const v = tokenValue();
    const err = await fileSink('json', 'secrets.json')
      .put({ sink: 'local', key: 'ci' }, token, new Secret(v))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_SINK_WRITE', sink: 'local', key: 'ci' });
    expect((err as Error).message).not.toContain(v);
    expect(await readFile(path, 'utf8')).toBe('{"half": ');
  });

  test('GIVEN rename fails WHEN a value is put THEN E_SINK_WRITE names the sink and key, and the temp file is removed', async () => {
    const failing: SinkFileSystem = {
      ...fsPromises,
      rename: () => Promise.reject(Object.assign(new Error('EIO'), { code: 'EIO' })),
    };
    const v = tokenValue();
    const err = await fileSink('json', 'out/s.json', failing)
      .put({ sink: 'local', key: 'ci' }, token, new Secret(v))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_SINK_WRITE', sink: 'local', key: 'ci' });
    expect(await readdir(join(dir, 'out'))).toEqual([]);
  });
});

describe('file sink, dotenv', () => {
  test.each([
    ['ci-deploy', 'CI_DEPLOY'],
    ['9lives', '_9LIVES'],
    ['a.b/c', 'A_B_C'],
  ])('GIVEN key %s WHEN put THEN it is stored as %s and describe() names it', async (key, stored) => {
    const sink = fileSink('dotenv', '.env.secrets');
    const v = tokenValue();
    await sink.put({ sink: 'local', key }, token, new Secret(v));
    expect(parseDotenv(await readFile(join(dir, '.env.secrets'), 'utf8')).get(stored)).toBe(v);
    expect(sink.describe({ sink: 'local', key })).toBe(`file .env.secrets#${stored}`);
  });

  test.each([
    ['plain token', 'cfat_abcDEF0123456789abcdefghijklmnopqrstu'],
    ['shell metacharacters', 'a$b`c"d\\e f;g|h&i*j'],
    ['single quote', "it's-a-token-$HOME"],
  ])('GIVEN a value with %s WHEN written THEN POSIX sh reading the file gets the exact value', async (_what, v) => {
    const sink = fileSink('dotenv', 'env');
    await writeFile(join(dir, 'env'), '# kept comment\nOTHER=1\n');
    await sink.put({ sink: 'local', key: 'tok' }, token, new Secret(v));
    const { stdout } = await run('sh', ['-c', 'set -a; . ./env; printf %s "$TOK"'], { cwd: dir });
    expect(stdout).toBe(v);
    const text = await readFile(join(dir, 'env'), 'utf8');
    expect(text.startsWith('# kept comment\nOTHER=1\n')).toBe(true);
  });

  test('GIVEN an existing line for the key WHEN replaced THEN exactly one line remains for it', async () => {
    await writeFile(join(dir, 'env'), "A=1\nTOK='old-value-xyz'\nB=2\n");
    const v = tokenValue();
    await fileSink('dotenv', 'env').put({ sink: 'local', key: 'tok' }, token, new Secret(v));
    expect(await readFile(join(dir, 'env'), 'utf8')).toBe(`A=1\nTOK='${v}'\nB=2\n`);
  });
});

describe('file sink check', () => {
  test('GIVEN a fresh repo WHEN checked THEN ok without creating anything', async () => {
    const r = await fileSink('json').check();
    expect(r.ok).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });

  test('GIVEN a world-readable secrets file WHEN checked THEN not ok', async () => {
    await writeFile(join(dir, 's.json'), '{}', { mode: 0o644 });
    await chmod(join(dir, 's.json'), 0o644);
    expect((await fileSink('json', 's.json').check()).ok).toBe(false);
  });

  test('GIVEN the path is a directory WHEN checked THEN not ok', async () => {
    await mkdir(join(dir, 's.json'));
    expect((await fileSink('json', 's.json').check()).ok).toBe(false);
  });
});
