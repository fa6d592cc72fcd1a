import { describe, expect, test } from 'vitest';
import { errorFromResponse, errorFromTransport } from '../../../src/cloudflare/api-error.js';
import { parseEnvelope } from '../../../src/cloudflare/envelope.js';

const route = '/accounts/{account_id}/secondary_dns/peers';
const raw = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('errorFromTransport', () => {
  test.each([
    { raw: 'UND_ERR_INVALID_ARG', code: 'E_API_REQUEST', mayHaveApplied: false },
    { raw: 'UND_ERR_CLOSED', code: 'E_API_REQUEST', mayHaveApplied: false },
    { raw: 'ERR_INVALID_CHAR', code: 'E_API_REQUEST', mayHaveApplied: false },
    { raw: 'ECONNREFUSED', code: 'E_API_NETWORK', mayHaveApplied: false },
    { raw: 'UND_ERR_SOCKET', code: 'E_API_NETWORK', mayHaveApplied: true },
    { raw: 'UND_ERR_HEADERS_TIMEOUT', code: 'E_API_TIMEOUT', mayHaveApplied: true },
  ])('GIVEN undici code $raw WHEN mapped THEN $code, mayHaveApplied $mayHaveApplied', (c) => {
    expect(errorFromTransport('POST', route, raw(c.raw))).toMatchObject({
      code: c.code,
      mayHaveApplied: c.mayHaveApplied,
    });
  });

  test('GIVEN a refused header WHEN mapped THEN the message names the header, never what undici said otherwise', () => {
    const header = errorFromTransport('GET', route, raw('UND_ERR_INVALID_ARG', 'invalid authorization header'));
    expect(header.message).toContain('invalid authorization header');
    const other = errorFromTransport('GET', route, raw('ERR_INVALID_ARG_VALUE', "Received 'abc-secret-value'"));
    expect(other.message).not.toContain('abc-secret-value');
    expect(other.hint).toBeTruthy();
  });
});

describe('hints by Cloudflare code', () => {
  const MALFORMED_TOKEN = 'the credential header is malformed (check CLOUDFLARE_API_TOKEN for quotes or whitespace)';
  test.each([
    { what: 'malformed Authorization', status: 400, codes: [6003, 6111], code: 'E_API_AUTH', hint: MALFORMED_TOKEN },
    { what: 'malformed email', status: 400, codes: [6003, 6102], code: 'E_API_AUTH', hint: /CLOUDFLARE_EMAIL/ },
    { what: 'malformed key', status: 400, codes: [6003, 6103], code: 'E_API_AUTH', hint: /CLOUDFLARE_API_KEY/ },
    { what: 'malformed header, no chain', status: 400, codes: [6003], code: 'E_API_AUTH', hint: /malformed/ },
    { what: 'missing credential', status: 400, codes: [9106], code: 'E_API_AUTH', hint: /no credential reached/ },
    { what: 'wrong email/key', status: 403, codes: [9103], code: 'E_API_AUTH', hint: /email and global API key/ },
    { what: 'bad or weak token', status: 403, codes: [10000], code: 'E_API_AUTH', hint: /lacks the permission/ },
    { what: 'IP condition', status: 403, codes: [9109], code: 'E_API_AUTH', hint: /request_ip/ },
    { what: '403 without codes', status: 403, codes: [], code: 'E_API_AUTH', hint: /lacks a permission/ },
    { what: 'rate limited', status: 429, codes: [971], code: 'E_API_RATE_LIMITED', hint: /1200 requests/ },
    { what: 'quota', status: 400, codes: [1003], code: 'E_API_QUOTA', hint: /500/ },
  ])('GIVEN $what ($status $codes) WHEN mapped THEN $code with its hint', (c) => {
    const e = errorFromResponse(
      'GET',
      route,
      c.status,
      c.codes.map((code) => ({ code, message: 'm' })),
    );
    expect(e.code).toBe(c.code);
    if (typeof c.hint === 'string') expect(e.hint).toBe(c.hint);
    else expect(e.hint).toMatch(c.hint);
  });

  test('GIVEN a 6003 whose header-specific code is in error_chain WHEN the envelope is read THEN the chain counts', () => {
    const body = JSON.stringify({
      success: false,
      errors: [{ code: 6003, message: 'Invalid request headers', error_chain: [{ code: 6111, message: 'bad' }] }],
      messages: [],
      result: null,
    });
    const e = parseEnvelope({ method: 'GET', route, status: 400, body });
    expect(e).toMatchObject({ code: 'E_API_AUTH', hint: MALFORMED_TOKEN });
    expect('cfErrors' in e && e.cfErrors.map((d) => d.code)).toEqual([6003, 6111]);
  });
});
