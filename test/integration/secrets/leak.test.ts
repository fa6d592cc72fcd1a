/**
 * The value must never show up outside the sink's own store: not in logs (any level), errors (message, hint, JSON),
 * describe() or check() output — for every sink, on success and on failure.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SinkConfig } from '../../../src/config/types.js';
import { Secret } from '../../../src/secret.js';
import { createSecretSinks } from '../../../src/secrets/create-secret-sinks.js';
import { startGitHubFake, type GitHubFake } from '../../support/github-fake.js';
import { capturedLogger, configWith, frozenClock, tempDir, token, tokenValue } from './helpers.js';

const GH_TOKEN = 'ghp_leaktesttoken0123456789abcdefghijkl';
const RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';
let gh: GitHubFake;
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  gh = await startGitHubFake({ token: GH_TOKEN, repositories: ['acme/app'] });
  await writeFile(join(dir, 'corrupt.json'), '{"broken": ');
  await writeFile(join(dir, 'corrupt.yaml'), '- not a map\n');
  await mkdir(join(dir, 'a-directory'));
  await writeFile(join(dir, 'ok.cjs'), `process.stdin.resume();process.stdin.on('end',()=>console.error('stored'));`);
  await writeFile(
    join(dir, 'leaky.cjs'),
    `let s='';process.stdin.on('data',c=>s+=c).on('end',()=>{console.error(s);process.stdout.write(s);process.exit(2)});`,
  );
});
afterAll(async () => {
  await gh.close();
  await cleanup();
});

const cases: [string, () => SinkConfig, () => SinkConfig][] = [
  [
    'file json',
    () => ({ type: 'file', path: 'ok.json', format: 'json' }),
    () => ({ type: 'file', path: 'corrupt.json', format: 'json' }),
  ],
  [
    'file dotenv',
    () => ({ type: 'file', path: 'ok.env', format: 'dotenv' }),
    () => ({ type: 'file', path: 'a-directory', format: 'dotenv' }),
  ],
  [
    'age files',
    () => ({ type: 'age', path: 'age', recipients: [RECIPIENT], layout: 'files' }),
    () => ({ type: 'age', path: 'corrupt.json', recipients: [RECIPIENT], layout: 'files' }),
  ],
  [
    'age yaml',
    () => ({ type: 'age', path: 'ok.yaml', recipients: [RECIPIENT], layout: 'yaml' }),
    () => ({ type: 'age', path: 'corrupt.yaml', recipients: [RECIPIENT], layout: 'yaml' }),
  ],
  [
    'github-actions',
    () => ({ type: 'github-actions', repository: 'acme/app', tokenEnv: 'GH', apiUrl: gh.url }),
    () => ({ type: 'github-actions', repository: 'acme/gone', tokenEnv: 'GH', apiUrl: gh.url }),
  ],
  [
    'exec',
    () => ({ type: 'exec', command: [process.execPath, 'ok.cjs'], timeoutSeconds: 5 }),
    () => ({ type: 'exec', command: [process.execPath, 'leaky.cjs'], timeoutSeconds: 5 }),
  ],
];

describe.each(cases)('%s sink', (_name, good, bad) => {
  test('GIVEN a successful and a failing put WHEN every output is captured THEN the value appears nowhere', async () => {
    const { log, lines } = capturedLogger();
    const deps = { env: { GH: GH_TOKEN, PATH: process.env['PATH'] ?? '' }, clock: frozenClock, log, cwd: dir };
    const v = tokenValue();
    const value = new Secret(v);
    const outputs: string[] = [];

    const okSink = createSecretSinks(configWith({ s: good() }), deps).get('s');
    await okSink.put({ sink: 's', key: 'ci' }, token, value);
    outputs.push(okSink.describe({ sink: 's', key: 'ci' }), JSON.stringify(await okSink.check()));

    const badSink = createSecretSinks(configWith({ s: bad() }), deps).get('s');
    const err = await badSink.put({ sink: 's', key: 'ci' }, token, value).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_SINK_WRITE', sink: 's', key: 'ci' });
    const e = err as Error & { hint?: string };
    outputs.push(e.message, e.hint ?? '', JSON.stringify(e), String(e), e.stack ?? '');
    outputs.push(badSink.describe({ sink: 's', key: 'ci' }), JSON.stringify(await badSink.check()));
    log.flush();

    expect(outputs.length).toBe(9);
    expect(lines.some((l) => l.includes('stored token value'))).toBe(true);
    for (const text of [...lines, ...outputs]) {
      expect(text).not.toContain(v);
      expect(text).not.toContain(Buffer.from(v).toString('base64'));
    }
  });
});
