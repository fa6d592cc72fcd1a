import { describe, expect, test } from 'vitest';
import { errorFromResponse, errorFromTransport, type HttpMethod } from '../../../src/cloudflare/api-error.js';
import { backoffDelay, classifyFailure } from '../../../src/cloudflare/retry-policy.js';
import { CfgitopsError } from '../../../src/errors.js';

const route = '/accounts/{account_id}/x';
const status = (s: number, code = 1000) => errorFromResponse('GET', route, s, [{ code, message: 'm' }]);
const transport = (raw: string) => errorFromTransport('GET', route, Object.assign(new Error('x'), { code: raw }));

describe('classifyFailure', () => {
  test.each<{ what: string; error: unknown; get: string; put: string; del: string; post: string }>([
    { what: '429', error: status(429, 971), get: 'retry', put: 'retry', del: 'retry', post: 'retry' },
    { what: '500', error: status(500), get: 'retry', put: 'retry', del: 'retry', post: 'ambiguous' },
    { what: '503', error: status(503), get: 'retry', put: 'retry', del: 'retry', post: 'ambiguous' },
    { what: '408', error: status(408), get: 'retry', put: 'retry', del: 'retry', post: 'ambiguous' },
    { what: '409', error: status(409), get: 'retry', put: 'retry', del: 'retry', post: 'ambiguous' },
    { what: '400', error: status(400, 1001), get: 'fail', put: 'fail', del: 'fail', post: 'fail' },
    { what: '403', error: status(403, 10000), get: 'fail', put: 'fail', del: 'fail', post: 'fail' },
    { what: '404', error: status(404, 7003), get: 'fail', put: 'fail', del: 'fail', post: 'fail' },
    { what: 'refused', error: transport('ECONNREFUSED'), get: 'retry', put: 'retry', del: 'retry', post: 'retry' },
    { what: 'reset', error: transport('UND_ERR_SOCKET'), get: 'retry', put: 'retry', del: 'retry', post: 'ambiguous' },
    {
      what: 'headers timeout',
      error: transport('UND_ERR_HEADERS_TIMEOUT'),
      get: 'retry',
      put: 'retry',
      del: 'retry',
      post: 'ambiguous',
    },
    {
      what: 'a header undici refuses to send',
      error: transport('UND_ERR_INVALID_ARG'),
      get: 'fail',
      put: 'fail',
      del: 'fail',
      post: 'fail',
    },
    { what: 'a closed agent', error: transport('UND_ERR_CLOSED'), get: 'fail', put: 'fail', del: 'fail', post: 'fail' },
    {
      what: 'other error',
      error: new CfgitopsError('E_ABORTED', 'x'),
      get: 'fail',
      put: 'fail',
      del: 'fail',
      post: 'fail',
    },
  ])(
    'GIVEN $what WHEN classified THEN GET $get, PUT $put, DELETE $del, POST $post',
    ({ error, get, put, del, post }) => {
      const by = (m: HttpMethod) => classifyFailure(m, error);
      expect([by('GET'), by('PUT'), by('DELETE'), by('POST')]).toEqual([get, put, del, post]);
    },
  );
});

describe('backoffDelay', () => {
  const policy = { retries: 5, minTimeoutMs: 100, maxTimeoutMs: 1000, deadlineSeconds: 60 };
  test.each([
    { attempt: 1, random: 0, expected: 50 },
    { attempt: 1, random: 1, expected: 100 },
    { attempt: 3, random: 0.5, expected: 300 },
    { attempt: 10, random: 1, expected: 1000 },
  ])('GIVEN attempt $attempt and random $random THEN waits $expected ms', ({ attempt, random, expected }) => {
    expect(backoffDelay(attempt, policy, () => random)).toBe(expected);
  });

  test('GIVEN minTimeout 0 THEN never waits', () => {
    expect(backoffDelay(4, { ...policy, minTimeoutMs: 0 }, () => 0.7)).toBe(0);
  });
});
