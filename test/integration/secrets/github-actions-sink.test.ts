import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Secret } from '../../../src/secret.js';
import { createSecretSinks } from '../../../src/secrets/create-secret-sinks.js';
import type { SecretSink } from '../../../src/secrets/types.js';
import { startGitHubFake, type GitHubFake } from '../../support/github-fake.js';
import { capturedLogger, configWith, instantClock, token, tokenValue } from './helpers.js';

const GH_TOKEN = 'ghp_testtoken0123456789abcdefghijklmnopq';
let gh: GitHubFake;

beforeEach(async () => {
  gh = await startGitHubFake({
    token: GH_TOKEN,
    repositories: ['acme/app'],
    environments: { 'acme/app': ['prod'] },
  });
});
afterEach(() => gh.close());

function githubSink(
  opts: { environment?: string; repository?: string; env?: Record<string, string>; apiUrl?: string } = {},
  clock = instantClock(),
): { sink: SecretSink; lines: string[] } {
  const { log, lines } = capturedLogger();
  const sinks = createSecretSinks(
    configWith({
      gh: {
        type: 'github-actions',
        repository: opts.repository ?? 'acme/app',
        ...(opts.environment ? { environment: opts.environment } : {}),
        tokenEnv: 'GH_SINK_TOKEN',
        apiUrl: opts.apiUrl ?? gh.url,
      },
    }),
    { env: opts.env ?? { GH_SINK_TOKEN: GH_TOKEN }, clock, log, cwd: '/nonexistent' },
  );
  return { sink: sinks.get('gh'), lines };
}

describe('github-actions sink', () => {
  test.each([
    ['repository secret', undefined, 'acme/app'],
    ['environment secret', 'prod', 'acme/app:prod'],
  ])(
    'GIVEN a %s WHEN a value is put THEN the fake opens the sealed box to the exact value',
    async (_what, environment, scope) => {
      const { sink } = githubSink(environment ? { environment } : {});
      const v = tokenValue();
      await sink.put({ sink: 'gh', key: 'cf-deploy' }, token, new Secret(v));
      expect(gh.reveal(scope, 'CF_DEPLOY')).toBe(v);
      expect(gh.stored(scope).get('CF_DEPLOY')!.encrypted_value).not.toContain(v);
      const paths = gh.requests.map((r) => `${r.method} ${r.path}`);
      const base = environment ? '/repos/acme/app/environments/prod/secrets' : '/repos/acme/app/actions/secrets';
      expect(paths).toEqual([`GET ${base}/public-key`, `PUT ${base}/CF_DEPLOY`]);
    },
  );

  test('GIVEN two puts WHEN the second runs THEN the public key is not fetched again and the value is replaced', async () => {
    const { sink } = githubSink();
    await sink.put({ sink: 'gh', key: 'A' }, token, new Secret(tokenValue()));
    const v2 = tokenValue();
    await sink.put({ sink: 'gh', key: 'A' }, token, new Secret(v2));
    expect(gh.reveal('acme/app', 'A')).toBe(v2);
    expect(gh.requests.filter((r) => r.path.endsWith('public-key'))).toHaveLength(1);
  });

  test('GIVEN GitHub rotated its key WHEN a put uses the cached key THEN the sink refetches once and succeeds', async () => {
    const { sink } = githubSink();
    await sink.put({ sink: 'gh', key: 'A' }, token, new Secret(tokenValue()));
    gh.rotateKey('acme/app');
    const v = tokenValue();
    await sink.put({ sink: 'gh', key: 'A' }, token, new Secret(v));
    expect(gh.reveal('acme/app', 'A')).toBe(v);
  });

  test.each([
    ['retry-after', { status: 429, headers: { 'retry-after': '7' } }, 7000],
    [
      'x-ratelimit-reset',
      { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(1_700_000_030) } },
      31_000,
    ],
    ['5xx', { status: 502 }, 1000],
  ])(
    'GIVEN a %s answer WHEN putting THEN the sink waits as told through the clock and succeeds',
    async (_what, response, wait) => {
      const clock = instantClock(1_700_000_000_000);
      const { sink } = githubSink({}, clock);
      gh.script(response);
      const v = tokenValue();
      await sink.put({ sink: 'gh', key: 'RL' }, token, new Secret(v));
      expect(clock.sleeps).toEqual([wait]);
      expect(gh.reveal('acme/app', 'RL')).toBe(v);
    },
  );

  test('GIVEN a rate limit resetting past the deadline WHEN putting THEN E_SINK_WRITE without waiting', async () => {
    const clock = instantClock(1_700_000_000_000);
    const { sink } = githubSink({}, clock);
    gh.script({ status: 429, headers: { 'retry-after': '3600' } });
    await expect(sink.put({ sink: 'gh', key: 'RL' }, token, new Secret(tokenValue()))).rejects.toMatchObject({
      code: 'E_SINK_WRITE',
      sink: 'gh',
      key: 'RL',
    });
    expect(clock.sleeps).toEqual([]);
  });

  test.each([
    ['a wrong token', { env: { GH_SINK_TOKEN: 'ghp_wrongtoken000000000000000000000000' } }],
    ['no token', { env: {} }],
    ['an unknown repository', { repository: 'acme/missing' }],
    ['an unknown environment', { environment: 'staging' }],
  ])('GIVEN %s WHEN putting THEN E_SINK_WRITE naming the sink, and check() is not ok', async (_what, opts) => {
    const { sink } = githubSink(opts);
    const v = tokenValue();
    const err = await sink.put({ sink: 'gh', key: 'K' }, token, new Secret(v)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_SINK_WRITE', sink: 'gh', key: 'K' });
    expect(JSON.stringify(err) + String(err)).not.toContain(v);
    expect((err as Error).message).not.toContain(GH_TOKEN);
    expect(await sink.check()).toMatchObject({ ok: false });
  });

  test('GIVEN a read-only token WHEN putting THEN E_SINK_WRITE with a hint naming the needed permission', async () => {
    await gh.close();
    gh = await startGitHubFake({ token: GH_TOKEN, repositories: ['acme/app'], readOnly: true });
    const { sink } = githubSink();
    const err = await sink.put({ sink: 'gh', key: 'K' }, token, new Secret(tokenValue())).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_SINK_WRITE', hint: expect.stringContaining('Secrets') });
  });

  test.each(['GITHUB_TOKEN_X', '1abc', '---'])(
    'GIVEN key %s WHEN putting THEN E_SINK_WRITE before any request',
    async (key) => {
      const { sink } = githubSink();
      await expect(sink.put({ sink: 'gh', key }, token, new Secret(tokenValue()))).rejects.toMatchObject({
        code: 'E_SINK_WRITE',
      });
      expect(gh.requests).toEqual([]);
    },
  );

  test('GIVEN a working token WHEN checked THEN ok after one GET and no PUT', async () => {
    const { sink } = githubSink({ environment: 'prod' });
    expect(await sink.check()).toMatchObject({ ok: true });
    expect(gh.requests.map((r) => r.method)).toEqual(['GET']);
  });

  test.each([
    ['http://api.github.example', 'E_INSECURE_BASE_URL'],
    ['not a url', 'E_CONFIG'],
  ])('GIVEN apiUrl %s WHEN sinks are created THEN %s', (apiUrl, code) => {
    expect(() => githubSink({ apiUrl })).toThrow(expect.objectContaining({ code }));
  });

  test('GIVEN a put WHEN it reaches GitHub THEN it carries the API version, bearer auth and JSON content type', async () => {
    const { sink } = githubSink();
    await sink.put({ sink: 'gh', key: 'H' }, token, new Secret(tokenValue()));
    const put = gh.requests.find((r) => r.method === 'PUT')!;
    expect(put.headers).toMatchObject({
      'x-github-api-version': '2022-11-28',
      accept: 'application/vnd.github+json',
      'content-type': 'application/json',
    });
    expect(Object.keys(JSON.parse(put.body)).sort()).toEqual(['encrypted_value', 'key_id']);
  });
});
