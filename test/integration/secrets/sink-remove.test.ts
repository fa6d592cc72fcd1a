/**
 * `remove(key)` of every sink type (issue 13): the old value of a token whose sink changed is removed from the
 * old sink, every other key kept; removing what is not there is `absent`, not an error.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Secret } from '../../../src/secret.js';
import { createSecretSinks } from '../../../src/secrets/create-secret-sinks.js';
import type { SinkConfig } from '../../../src/config/types.js';
import type { SecretSink } from '../../../src/secrets/types.js';
import { ageDecrypt, ageKeygen, type AgeKey } from '../../support/age.js';
import { startGitHubFake, type GitHubFake } from '../../support/github-fake.js';
import { capturedLogger, configWith, frozenClock, instantClock, tempDir, token, tokenValue } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

function sink(config: SinkConfig, env: Record<string, string> = {}, clock = frozenClock): SecretSink {
  return createSecretSinks(configWith({ s: config }), { env, clock, log: capturedLogger().log, cwd: dir }).get('s');
}
const ref = (key: string) => ({ sink: 's', key });

describe('file sink remove', () => {
  test('GIVEN a JSON file with two keys WHEN one is removed THEN the other is kept, mode 0600; again THEN absent', async () => {
    const s = sink({ type: 'file', path: 'secrets.json', format: 'json' });
    const [a, b] = [tokenValue(), tokenValue()];
    await s.put(ref('a'), token, new Secret(a));
    await s.put(ref('b'), token, new Secret(b));
    expect(await s.remove(ref('a'), token)).toBe('removed');
    const path = join(dir, 'secrets.json');
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ b });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await s.remove(ref('a'), token)).toBe('absent');
  });

  test('GIVEN a dotenv file with a comment WHEN a key is removed THEN its line goes and the rest stays verbatim', async () => {
    await writeFile(join(dir, 'tokens.env'), "# mine\nOTHER='x'\nCI_DEPLOY='old'\n");
    const s = sink({ type: 'file', path: 'tokens.env', format: 'dotenv' });
    expect(await s.remove(ref('ci-deploy'), token)).toBe('removed');
    expect(await readFile(join(dir, 'tokens.env'), 'utf8')).toBe("# mine\nOTHER='x'\n");
  });

  test('GIVEN no file WHEN removed THEN absent and no file is created', async () => {
    const s = sink({ type: 'file', path: 'none/secrets.json', format: 'json' });
    expect(await s.remove(ref('a'), token)).toBe('absent');
    await expect(stat(join(dir, 'none'))).rejects.toThrow();
  });

  test('GIVEN a file that is not JSON WHEN removed THEN E_SINK_WRITE naming the sink, and the file is untouched', async () => {
    await writeFile(join(dir, 'secrets.json'), 'not json');
    const s = sink({ type: 'file', path: 'secrets.json', format: 'json' });
    await expect(s.remove(ref('a'), token)).rejects.toMatchObject({ code: 'E_SINK_WRITE', message: /sink "s"/ });
    expect(await readFile(join(dir, 'secrets.json'), 'utf8')).toBe('not json');
  });
});

describe('age sink remove', () => {
  let key: AgeKey;
  beforeEach(async () => (key = await ageKeygen(dir, 'key.txt')));

  test('GIVEN layout files WHEN removed THEN the .age file is gone; again THEN absent', async () => {
    const s = sink({ type: 'age', path: 'secrets', recipients: [key.recipient], layout: 'files' });
    await s.put(ref('ci'), token, new Secret(tokenValue()));
    expect(await s.remove(ref('ci'), token)).toBe('removed');
    await expect(stat(join(dir, 'secrets/ci.age'))).rejects.toThrow();
    expect(await s.remove(ref('ci'), token)).toBe('absent');
  });

  test.each(['yaml', 'json'] as const)(
    'GIVEN layout %s with two entries WHEN one is removed THEN the other still decrypts',
    async (layout) => {
      const s = sink({ type: 'age', path: `values.${layout}`, recipients: [key.recipient], layout });
      const kept = tokenValue();
      await s.put(ref('gone'), token, new Secret(tokenValue()));
      await s.put(ref('kept'), token, new Secret(kept));
      expect(await s.remove(ref('gone'), token)).toBe('removed');
      const text = await readFile(join(dir, `values.${layout}`), 'utf8');
      expect(text).not.toContain('gone');
      const doc = (layout === 'json' ? JSON.parse(text) : (await import('yaml')).parse(text)) as Record<string, string>;
      expect(await ageDecrypt(key, doc['kept']!)).toBe(kept);
      expect(await s.remove(ref('gone'), token)).toBe('absent');
    },
  );
});

describe('github-actions sink remove', () => {
  const GH_TOKEN = 'ghp_testtoken0123456789abcdefghijklmnopq';
  let gh: GitHubFake;
  beforeEach(async () => {
    gh = await startGitHubFake({ token: GH_TOKEN, repositories: ['acme/app'], environments: { 'acme/app': ['prod'] } });
  });
  afterEach(() => gh.close());

  test.each([
    ['repository', undefined, 'acme/app', '/repos/acme/app/actions/secrets'],
    ['environment', 'prod', 'acme/app:prod', '/repos/acme/app/environments/prod/secrets'],
  ])('GIVEN a %s secret WHEN removed THEN DELETE; again THEN 404 is absent', async (_w, environment, scope, base) => {
    const s = sink(
      {
        type: 'github-actions',
        repository: 'acme/app',
        ...(environment ? { environment } : {}),
        tokenEnv: 'GH_SINK_TOKEN',
        apiUrl: gh.url,
      },
      { GH_SINK_TOKEN: GH_TOKEN },
      instantClock(),
    );
    await s.put(ref('cf-deploy'), token, new Secret(tokenValue()));
    expect(await s.remove(ref('cf-deploy'), token)).toBe('removed');
    expect(gh.stored(scope).has('CF_DEPLOY')).toBe(false);
    expect(await s.remove(ref('cf-deploy'), token)).toBe('absent');
    expect(gh.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([
      `${base}/CF_DEPLOY`,
      `${base}/CF_DEPLOY`,
    ]);
  });

  test('GIVEN a token GitHub refuses WHEN removed THEN E_SINK_WRITE with the status and a hint', async () => {
    const s = sink(
      { type: 'github-actions', repository: 'acme/app', tokenEnv: 'GH_SINK_TOKEN', apiUrl: gh.url },
      { GH_SINK_TOKEN: 'ghp_wrong' },
      instantClock(),
    );
    await expect(s.remove(ref('cf-deploy'), token)).rejects.toMatchObject({ code: 'E_SINK_WRITE', message: /401/ });
  });
});

describe('exec sink remove', () => {
  /** Stores on put, deletes on CFGITOPS_SINK_ACTION=remove, in store.json; logs each action and its stdin length. */
  const STORE = `
const fs = require('node:fs');
const key = process.env.CFGITOPS_SECRET_KEY;
const all = fs.existsSync('store.json') ? JSON.parse(fs.readFileSync('store.json', 'utf8')) : {};
const stdin = fs.readFileSync(0, 'utf8');
fs.appendFileSync('calls.log', process.env.CFGITOPS_SINK_ACTION + ' ' + stdin.length + '\\n');
if (process.env.CFGITOPS_SINK_ACTION === 'remove') {
  if (process.argv[2] === 'refuse') { process.stderr.write('remove not supported\\n'); process.exit(3); }
  delete all[key];
} else all[key] = stdin;
fs.writeFileSync('store.json', JSON.stringify(all));
`;
  test('GIVEN a command WHEN put then removed THEN it runs with CFGITOPS_SINK_ACTION put/remove, nothing on stdin for remove', async () => {
    await writeFile(join(dir, 'store.cjs'), STORE);
    const s = sink(
      { type: 'exec', command: [process.execPath, 'store.cjs'], timeoutSeconds: 10 },
      { PATH: process.env['PATH'] ?? '' },
    );
    const v = tokenValue();
    await s.put(ref('k'), token, new Secret(v));
    expect(await s.remove(ref('k'), token)).toBe('removed');
    expect(JSON.parse(await readFile(join(dir, 'store.json'), 'utf8'))).toEqual({});
    expect(await readFile(join(dir, 'calls.log'), 'utf8')).toBe(`put ${v.length}\nremove 0\n`);
  });

  test('GIVEN a command that cannot remove WHEN removed THEN E_SINK_WRITE naming the sink, its stderr and the contract', async () => {
    await writeFile(join(dir, 'store.cjs'), STORE);
    const s = sink(
      { type: 'exec', command: [process.execPath, 'store.cjs', 'refuse'], timeoutSeconds: 10 },
      { PATH: process.env['PATH'] ?? '' },
    );
    const e = await s.remove(ref('k'), token).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toMatchObject({ code: 'E_SINK_WRITE', message: /sink "s".*status 3.*remove not supported/ });
    expect((e as { hint?: string }).hint).toMatch(/CFGITOPS_SINK_ACTION=remove/);
  });
});
