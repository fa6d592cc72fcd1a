import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import * as fsPromises from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { Secret } from '../../../src/secret.js';
import { readAgeSecret } from '../../../src/secrets/age-sink.js';
import { createSecretSinks } from '../../../src/secrets/create-secret-sinks.js';
import type { SinkConfig } from '../../../src/config/types.js';
import type { SinkFileSystem } from '../../../src/secrets/sink-deps.js';
import type { SecretSink } from '../../../src/secrets/types.js';
import { SINK_WRITE_TIMEOUT_MS } from '../../../src/secrets/within-time.js';
import { ageDecrypt, ageKeygen, describeWithAgeCli, type AgeKey } from '../../support/age.js';
import { capturedLogger, configWith, frozenClock, instantClock, tempDir, token, tokenValue } from './helpers.js';

const run = promisify(execFile);

let dir: string;
let cleanup: () => Promise<void>;
const keys: AgeKey[] = [];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  // Test keys made now; never committed.
  for (const n of [1, 2]) keys.push(await ageKeygen(dir, `key${n}.txt`));
});
afterAll(() => cleanup());

function ageSink(
  layout: 'files' | 'yaml' | 'json',
  path: string,
  recipients = keys.map((k) => k.recipient),
): SecretSink {
  return createSecretSinks(configWith({ repo: { type: 'age', path, recipients, layout } }), {
    env: {},
    clock: frozenClock,
    log: capturedLogger().log,
    cwd: dir,
  }).get('repo');
}

describe('age sink', () => {
  test('GIVEN layout files WHEN a value is put THEN <path>/<key>.age decrypts for every recipient', async () => {
    const v = tokenValue();
    await ageSink('files', 'secrets/files').put({ sink: 'repo', key: 'ci-deploy' }, token, new Secret(v));
    const armored = await readFile(join(dir, 'secrets/files/ci-deploy.age'), 'utf8');
    expect(armored.startsWith('-----BEGIN AGE ENCRYPTED FILE-----')).toBe(true);
    expect(armored).not.toContain(v);
    for (const k of keys) expect(await ageDecrypt(k, armored)).toBe(v);
  });

  test.each(['yaml', 'json'] as const)(
    'GIVEN layout %s and an existing entry WHEN two keys are put concurrently THEN each armored entry decrypts and others are kept',
    async (layout) => {
      const path = `secrets/values.${layout}`;
      const abs = join(dir, path);
      await fsPromises.mkdir(join(dir, 'secrets'), { recursive: true });
      await writeFile(abs, layout === 'json' ? '{"keep": "x"}' : '# my comment\nkeep: x\n');
      const sink = ageSink(layout, path);
      const a = tokenValue();
      const b = tokenValue();
      await Promise.all([
        sink.put({ sink: 'repo', key: 'a' }, token, new Secret(a)),
        sink.put({ sink: 'repo', key: 'b' }, token, new Secret(b)),
      ]);
      const text = await readFile(abs, 'utf8');
      const doc = (layout === 'json' ? JSON.parse(text) : parseYaml(text)) as Record<string, string>;
      expect(doc['keep']).toBe('x');
      expect(await ageDecrypt(keys[0]!, doc['a']!)).toBe(a);
      expect(await ageDecrypt(keys[1]!, doc['b']!)).toBe(b);
      if (layout === 'yaml') expect(text).toContain('# my comment');
      expect(text).not.toContain(a);
    },
  );

  test('GIVEN a value written by cfgitops WHEN read back by readAgeSecret (yaml) THEN it matches', async () => {
    const v = tokenValue();
    await ageSink('yaml', 'rb.yaml').put({ sink: 'repo', key: 'rb' }, token, new Secret(v));
    const s = await readAgeSecret({
      fs: fsPromises,
      cwd: dir,
      path: 'rb.yaml',
      layout: 'yaml',
      key: 'rb',
      identities: [keys[1]!.identity],
    });
    expect(s.reveal()).toBe(v);
  });

  test.each([
    [['age1notarealkey'], 'invalid'],
    [['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHj user@host'], 'ssh'],
    [[], 'none'],
  ])('GIVEN recipients %j (%s) WHEN sinks are created THEN E_CONFIG', (recipients) => {
    expect(() => ageSink('files', 'x', recipients)).toThrow(expect.objectContaining({ code: 'E_CONFIG' }));
  });

  test('GIVEN a yaml file that is not a mapping WHEN put THEN E_SINK_WRITE and the file is untouched', async () => {
    await writeFile(join(dir, 'bad.yaml'), '- a list\n');
    const err = await ageSink('yaml', 'bad.yaml')
      .put({ sink: 'repo', key: 'k' }, token, new Secret(tokenValue()))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_SINK_WRITE', sink: 'repo', key: 'k' });
    expect(await readFile(join(dir, 'bad.yaml'), 'utf8')).toBe('- a list\n');
  });

  test('GIVEN valid recipients WHEN checked THEN ok; describe names path and recipient count', async () => {
    const sink = ageSink('files', 'secrets/files');
    expect(await sink.check()).toMatchObject({ ok: true });
    expect(sink.describe({ sink: 'repo', key: '../evil' })).toBe('age secrets/files/___evil.age (2 recipients)');
  });
});

describe('sink write time limit', () => {
  /** The real filesystem, except that opening a file for writing never completes (a hung mount). */
  const hungFs: SinkFileSystem = {
    ...fsPromises,
    open: () => new Promise<never>(() => undefined),
  };

  test.each<[string, SinkConfig]>([
    ['a json file sink', { type: 'file', path: 'hung/secrets.json', format: 'json' }],
    ['a dotenv file sink', { type: 'file', path: 'hung/secrets.env', format: 'dotenv' }],
    ['an age sink (files)', { type: 'age', path: 'hung/age', recipients: ['RECIPIENT'], layout: 'files' }],
    ['an age sink (yaml)', { type: 'age', path: 'hung/age.yaml', recipients: ['RECIPIENT'], layout: 'yaml' }],
  ])(
    'GIVEN %s on a filesystem that hangs WHEN the time limit passes THEN E_SINK_WRITE naming sink and key',
    async (_what, c) => {
      const config = c.type === 'age' ? { ...c, recipients: [keys[0]!.recipient] } : c;
      const clock = instantClock();
      const sink = createSecretSinks(configWith({ s: config }), {
        env: {},
        clock,
        log: capturedLogger().log,
        cwd: dir,
        fs: hungFs,
      }).get('s');
      const err = await sink.put({ sink: 's', key: 'ci' }, token, new Secret(tokenValue())).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_SINK_WRITE', sink: 's', key: 'ci' });
      expect(clock.sleeps).toEqual([SINK_WRITE_TIMEOUT_MS]);
    },
  );
});

describeWithAgeCli('age CLI interop', () => {
  test('GIVEN the real age CLI THEN it decrypts what the sink wrote, and cfgitops reads what `age -r … -a` wrote', async () => {
    const v = tokenValue();
    await ageSink('files', 'interop').put({ sink: 'repo', key: 'to-cli' }, token, new Secret(v));
    for (const k of keys) {
      const { stdout } = await run('age', ['-d', '-i', k.identityFile, join(dir, 'interop/to-cli.age')]);
      expect(stdout).toBe(v);
    }

    const w = tokenValue();
    await fsPromises.mkdir(join(dir, 'cli'), { recursive: true });
    await new Promise<void>((resolve, reject) => {
      const child = execFile('age', ['-r', keys[0]!.recipient, '-a', '-o', join(dir, 'cli/from-cli.age')], (err) => {
        if (err) reject(new Error('age failed', { cause: err }));
        else resolve();
      });
      child.stdin?.end(w);
    });
    const secret = await readAgeSecret({
      fs: fsPromises,
      cwd: dir,
      path: 'cli',
      layout: 'files',
      key: 'from-cli',
      identities: [keys[0]!.identity],
    });
    expect(secret.reveal()).toBe(w);
  });
});
