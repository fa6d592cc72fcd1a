import { describe, expect, test } from 'vitest';
import { parseRateLimitHeaders, parseRetryAfter } from '../../../src/cloudflare/rate-limit-headers.js';

const now = Date.UTC(2026, 0, 1);

describe('parseRateLimitHeaders', () => {
  test.each([
    {
      what: 'Ratelimit + policy',
      headers: { ratelimit: '"default";r=50;t=30', 'ratelimit-policy': '"burst";q=1200;w=300' },
      expected: {
        remaining: 50,
        resetSeconds: 30,
        policy: { requests: 1200, windowSeconds: 300 },
        policies: [{ requests: 1200, windowSeconds: 300 }],
      },
    },
    {
      what: 'several limits: the tightest wins',
      headers: { ratelimit: '"a";r=50;t=30, "b";r=3;t=9', 'ratelimit-policy': '"a";q=1200;w=300, "b";q=10;w=10' },
      // "b" has the fewest left; its policy is the one of the same name.
      expected: {
        remaining: 3,
        resetSeconds: 9,
        policy: { requests: 10, windowSeconds: 10 },
        policies: [
          { requests: 1200, windowSeconds: 300 },
          { requests: 10, windowSeconds: 10 },
        ],
      },
    },
    {
      what: 'differently named limits (as in Cloudflare’s documented example): the tightest policy',
      headers: { ratelimit: '"default";r=3;t=9', 'ratelimit-policy': '"a";q=1200;w=300, "b";q=200;w=1' },
      expected: {
        remaining: 3,
        resetSeconds: 9,
        policy: { requests: 1200, windowSeconds: 300 },
        policies: [
          { requests: 1200, windowSeconds: 300 },
          { requests: 200, windowSeconds: 1 },
        ],
      },
    },
    {
      what: 'older x-ratelimit-* (delta)',
      headers: { 'x-ratelimit-limit': '1200', 'x-ratelimit-remaining': '7', 'x-ratelimit-reset': '12' },
      expected: { remaining: 7, resetSeconds: 12 },
    },
    {
      what: 'older x-ratelimit-* (epoch)',
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 20) },
      expected: { remaining: 0, resetSeconds: 20 },
    },
    { what: 'retry-after seconds', headers: { 'retry-after': '300' }, expected: { retryAfterMs: 300_000 } },
    { what: 'nothing', headers: {}, expected: {} },
    { what: 'garbage', headers: { ratelimit: 'nonsense', 'retry-after': 'soon' }, expected: {} },
  ])('GIVEN $what WHEN parsed THEN the limits are read', ({ headers, expected }) => {
    expect(parseRateLimitHeaders(headers, now)).toEqual(expected);
  });
});

describe('parseRetryAfter', () => {
  test('GIVEN an HTTP date WHEN parsed THEN the delta from now', () => {
    expect(parseRetryAfter(new Date(now + 5_000).toUTCString(), now)).toBe(5_000);
  });
});
