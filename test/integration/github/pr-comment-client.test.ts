/**
 * The sticky PR comment client against a loopback fake of GitHub: create, then edit in place; pagination; rate
 * limits through an injected clock; errors by code, never with the token.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Clock } from '../../../src/effects.js';
import { PrCommentClient, stickyMarker } from '../../../src/github/pr-comment-client.js';
import { Secret } from '../../../src/secret.js';
import { startCommentsFake, type CommentsFake } from './comments-fake.js';

const TOKEN = 'ghs_fakeGitHubToken0123456789abcdef';
const REPO = 'acme/dns';
let fake: CommentsFake;

function fakeClock(): Clock & { slept: number[] } {
  let now = 1_700_000_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: (ms) => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

const client = (clock: Clock = fakeClock(), overrides: { apiUrl?: string; token?: string } = {}) =>
  new PrCommentClient({
    apiUrl: overrides.apiUrl ?? fake.url,
    repository: REPO,
    token: new Secret(overrides.token ?? TOKEN),
    fetch: (input, init) => fetch(input, init),
    clock,
  });

beforeAll(async () => {
  fake = await startCommentsFake({ token: TOKEN, repository: REPO });
});
afterAll(async () => {
  await fake.close();
});
let pr = 0;
beforeEach(() => {
  pr++;
  fake.requests.length = 0;
});

const marker = stickyMarker('desired-state');

describe('GIVEN a pull request without a cfgitops comment', () => {
  test('WHEN upserted twice THEN one comment is created, then edited in place', async () => {
    const first = await client().upsert(pr, marker, 'plan one');
    expect(first.action).toBe('created');
    const second = await client().upsert(pr, marker, 'plan two');
    expect(second).toMatchObject({ action: 'updated', id: first.id });
    expect(fake.comments(pr)).toHaveLength(1);
    expect(fake.comments(pr)[0]?.body).toBe(`${marker}\nplan two`);
    expect(fake.requests.map((r) => r.method)).toEqual(['GET', 'POST', 'GET', 'PATCH']);
  });

  test('WHEN another directory has its own marker THEN each keeps its own comment', async () => {
    await client().upsert(pr, marker, 'a');
    await client().upsert(pr, stickyMarker('other-dir'), 'b');
    expect(fake.comments(pr)).toHaveLength(2);
  });
});

describe('GIVEN a pull request with 250 other comments', () => {
  test('WHEN the cfgitops comment is on the third page THEN it is found through the Link header and edited', async () => {
    fake.seed(
      pr,
      Array.from({ length: 220 }, (_, i) => `chatter ${i}`),
    );
    fake.seed(pr, [`${marker}\nold plan`]);
    fake.seed(
      pr,
      Array.from({ length: 29 }, (_, i) => `more ${i}`),
    );
    const r = await client().upsert(pr, marker, 'new plan');
    expect(r.action).toBe('updated');
    expect(fake.requests.filter((q) => q.method === 'GET').map((q) => q.query.get('page'))).toEqual(['1', '2', '3']);
    expect(fake.comments(pr).filter((c) => c.body.startsWith(marker))).toHaveLength(1);
  });

  test('WHEN a comment only quotes the marker mid-text THEN it is not taken for ours', async () => {
    fake.seed(pr, [`someone wrote ${marker} here`]);
    expect((await client().upsert(pr, marker, 'x')).action).toBe('created');
  });
});

describe('GIVEN GitHub rate limits', () => {
  test.each([
    ['a 429 with retry-after', { status: 429, headers: { 'retry-after': '7' } }, 7000],
    [
      'a primary limit (403, remaining 0)',
      { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(1_700_000_000 + 30) } },
      31_000,
    ],
  ])(
    'WHEN the first answer is %s THEN the client waits that long on its clock and succeeds',
    async (_w, response, waited) => {
      fake.script({ ...response, body: { message: 'rate limited' } });
      const clock = fakeClock();
      const r = await client(clock).upsert(pr, marker, 'x');
      expect(r.action).toBe('created');
      expect(clock.slept).toEqual([waited]);
    },
  );

  test('WHEN the limit outlasts the deadline THEN it fails with E_GITHUB', async () => {
    fake.script({ status: 429, headers: { 'retry-after': '3600' }, body: {} });
    await expect(client().upsert(pr, marker, 'x')).rejects.toMatchObject({ code: 'E_GITHUB' });
  });
});

describe('GIVEN failures', () => {
  test('WHEN the token is refused THEN E_GITHUB, no retry, and the token is not in the error', async () => {
    const wrong = 'ghs_wrongTokenValue0123456789abcdef';
    const err = await client(fakeClock(), { token: wrong })
      .upsert(pr, marker, 'x')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_GITHUB' });
    expect(JSON.stringify(err) + String(err) + ((err as Error).stack ?? '')).not.toContain(wrong);
    expect(fake.requests).toHaveLength(1);
  });

  test('WHEN a 403 is not a rate limit (read-only fork token) THEN it fails at once with a hint', async () => {
    fake.script({ status: 403, body: { message: 'Resource not accessible by integration' } });
    const clock = fakeClock();
    await expect(client(clock).upsert(pr, marker, 'x')).rejects.toMatchObject({
      code: 'E_GITHUB',
      hint: expect.stringContaining('pull-requests: write'),
    });
    expect(clock.slept).toEqual([]);
  });

  test.each(['http://github.example.com', 'ftp://127.0.0.1'])(
    'WHEN GITHUB_API_URL is %s THEN it is refused',
    (apiUrl) => {
      expect(() => client(fakeClock(), { apiUrl })).toThrow(expect.objectContaining({ code: 'E_INSECURE_BASE_URL' }));
    },
  );
});
