import { describe, expect, test } from 'vitest';
import { errorFromTransport } from '../../../src/cloudflare/api-error.js';

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
