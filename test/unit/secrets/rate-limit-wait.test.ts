import { describe, expect, test } from 'vitest';
import { rateLimitWaitMs } from '../../../src/secrets/github-client.js';

const NOW = 1_700_000_000_000;

describe('rateLimitWaitMs', () => {
  test.each([
    [429, { 'retry-after': '12' }, 12_000],
    [403, { 'retry-after': '1' }, 1000],
    [403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1700000060' }, 61_000],
    [403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1699999000' }, 1000],
    [429, {}, 60_000],
    [403, { 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': '1700000060' }, undefined],
    [403, {}, undefined],
    [500, { 'retry-after': '5' }, undefined],
  ])('GIVEN status %i with headers %j THEN wait %s ms', (status, headers, expected) => {
    expect(rateLimitWaitMs(new Response(null, { status, headers }), NOW)).toBe(expected);
  });
});
