import { describe, expect, test } from 'vitest';
import { CloudflareApiError, errorFromTransport } from '../../../src/cloudflare/api-error.js';
import { parseEnvelope } from '../../../src/cloudflare/envelope.js';

const route = '/accounts/{account_id}/tokens';

function failure(status: number, errors: { code: number; message: string }[]): string {
  return JSON.stringify({ success: false, errors, messages: [], result: null });
}

describe('parseEnvelope', () => {
  test('GIVEN a success envelope WHEN parsed THEN result and result_info come back', () => {
    const env = parseEnvelope({
      method: 'GET',
      route,
      status: 200,
      body: JSON.stringify({
        success: true,
        errors: [],
        messages: [],
        result: [{ id: 'a' }],
        result_info: { page: 1, per_page: 50, total_pages: 3, count: 50, total_count: 130 },
      }),
    });
    expect(env).not.toBeInstanceOf(CloudflareApiError);
    expect(env).toMatchObject({ result: [{ id: 'a' }], resultInfo: { total_pages: 3, total_count: 130 } });
  });

  test.each([
    { status: 401, errors: [{ code: 10000, message: 'Authentication error' }], code: 'E_API_AUTH' },
    { status: 403, errors: [{ code: 10000, message: 'Authentication error' }], code: 'E_API_AUTH' },
    { status: 403, errors: [{ code: 9109, message: 'Cannot use the access token from location' }], code: 'E_API_AUTH' },
    { status: 400, errors: [{ code: 9106, message: 'Missing X-Auth-Key' }], code: 'E_API_AUTH' },
    { status: 404, errors: [{ code: 7003, message: 'Could not route' }], code: 'E_API_NOT_FOUND' },
    { status: 400, errors: [{ code: 1001, message: 'Invalid request body' }], code: 'E_API' },
    { status: 429, errors: [{ code: 971, message: 'Please wait' }], code: 'E_API_RATE_LIMITED' },
    { status: 400, errors: [{ code: 1003, message: 'Token quota reached' }], code: 'E_API_QUOTA' },
    { status: 503, errors: [{ code: 10001, message: 'Internal' }], code: 'E_API' },
  ])('GIVEN $status with code $errors.0.code WHEN parsed THEN the error is $code', ({ status, errors, code }) => {
    const err = parseEnvelope({ method: 'POST', route, status, body: failure(status, errors) });
    expect(err).toBeInstanceOf(CloudflareApiError);
    const e = err as CloudflareApiError;
    expect(e.code).toBe(code);
    expect(e.status).toBe(status);
    expect(e.cfErrors.map((c) => c.code)).toEqual(errors.map((c) => c.code));
    expect(e.route).toBe(route);
    expect(e.method).toBe('POST');
  });

  test.each([
    { status: 500, mayHaveApplied: true },
    { status: 502, mayHaveApplied: true },
    { status: 408, mayHaveApplied: true },
    { status: 429, mayHaveApplied: false },
    { status: 400, mayHaveApplied: false },
  ])('GIVEN status $status WHEN parsed THEN mayHaveApplied is $mayHaveApplied', ({ status, mayHaveApplied }) => {
    const e = parseEnvelope({ method: 'POST', route, status, body: '<html>bad gateway</html>' }) as CloudflareApiError;
    expect(e.mayHaveApplied).toBe(mayHaveApplied);
  });

  test.each([
    { body: 'not json' },
    { body: '' },
    { body: JSON.stringify({ success: 'yes', result: {} }) },
    { body: JSON.stringify({ success: true, errors: [] }) },
    { body: JSON.stringify({ success: false, errors: [{ code: 1, message: 'x' }], result: null }) },
    { body: JSON.stringify([1, 2]) },
  ])('GIVEN a 200 with a malformed envelope ($body) WHEN parsed THEN E_API_RESPONSE', ({ body }) => {
    const e = parseEnvelope({ method: 'GET', route, status: 200, body }) as CloudflareApiError;
    expect(e).toBeInstanceOf(CloudflareApiError);
    expect(e.code).toBe('E_API_RESPONSE');
  });

  test('GIVEN an error body echoing a secret WHEN it becomes an error THEN only codes and messages are kept, not the body', () => {
    const body = JSON.stringify({
      success: false,
      errors: [{ code: 1001, message: 'Invalid request body' }],
      result: null,
      echoed: { secret: 'SUPER-SECRET-VALUE-123456' },
    });
    const e = parseEnvelope({ method: 'PUT', route, status: 400, body }) as CloudflareApiError;
    expect(JSON.stringify(e.toJSON())).not.toContain('SUPER-SECRET-VALUE-123456');
    expect(e.message).not.toContain('SUPER-SECRET-VALUE-123456');
  });
});

describe('errorFromTransport', () => {
  test.each([
    { raw: 'ECONNREFUSED', code: 'E_API_NETWORK', mayHaveApplied: false },
    { raw: 'UND_ERR_CONNECT_TIMEOUT', code: 'E_API_TIMEOUT', mayHaveApplied: false },
    { raw: 'UND_ERR_HEADERS_TIMEOUT', code: 'E_API_TIMEOUT', mayHaveApplied: true },
    { raw: 'UND_ERR_BODY_TIMEOUT', code: 'E_API_TIMEOUT', mayHaveApplied: true },
    { raw: 'UND_ERR_SOCKET', code: 'E_API_NETWORK', mayHaveApplied: true },
    { raw: 'ECONNRESET', code: 'E_API_NETWORK', mayHaveApplied: true },
  ])('GIVEN undici $raw WHEN mapped THEN $code, mayHaveApplied $mayHaveApplied', ({ raw, code, mayHaveApplied }) => {
    const cause = Object.assign(new Error('boom'), { code: raw });
    const e = errorFromTransport('POST', route, cause);
    expect(e.code).toBe(code);
    expect(e.mayHaveApplied).toBe(mayHaveApplied);
    expect(e.status).toBeUndefined();
  });

  test('GIVEN a connect error nested in cause WHEN mapped THEN its code is found', () => {
    const e = errorFromTransport('GET', route, new Error('fetch failed', { cause: { code: 'ECONNREFUSED' } }));
    expect(e.mayHaveApplied).toBe(false);
  });
});
