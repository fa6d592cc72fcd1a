import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { randomAccountId, startTestEmulator, tokenBody, type TestEmulator } from '../../support/emulator.js';

const EMAIL = 'ops@example.com';
const KEY = 'k1e2y3'.repeat(6) + 'z';

let emu: TestEmulator;
let tokens: string;

beforeAll(async () => {
  emu = await startTestEmulator({ seed: 3, email: EMAIL, apiKey: KEY, rateLimit: false });
  tokens = `/accounts/${emu.account}/tokens`;
});
afterEach(() => {
  emu.assertNoContractViolations();
});
afterAll(async () => {
  await emu.close();
});

const bearer = (value: string): Record<string, string> => ({ authorization: `Bearer ${value}` });

async function mint(overrides: Record<string, unknown> = {}): Promise<{ id: string; value: string }> {
  const res = await emu.api('POST', tokens, tokenBody(emu.account, overrides));
  expect(res.status).toBe(200);
  return { id: res.body.result.id, value: res.body.result.value };
}

describe('bad or missing credentials', () => {
  test.each([
    ['no credentials', { authorization: null }, 400, 9106, undefined],
    ['a non-Bearer Authorization', { authorization: 'Basic dXNlcjpwYXNz' }, 400, 6003, 6111],
    ['a Bearer with spaces', { authorization: 'Bearer not a token at all' }, 400, 6003, 6111],
    ['an unknown token', { authorization: `Bearer ${'x'.repeat(40)}` }, 403, 10000, undefined],
    ['a malformed email', { authorization: null, 'x-auth-email': 'nobody', 'x-auth-key': KEY }, 400, 6003, 6102],
    ['a malformed key', { authorization: null, 'x-auth-email': EMAIL, 'x-auth-key': 'short' }, 400, 6003, 6103],
    ['an email without a key', { authorization: null, 'x-auth-email': EMAIL }, 400, 6003, 6103],
    ['a wrong key', { authorization: null, 'x-auth-email': EMAIL, 'x-auth-key': 'z'.repeat(37) }, 403, 9103, undefined],
  ])('GIVEN %s WHEN calling the API THEN %i with code %i (chain %s)', async (_what, headers, status, code, chain) => {
    const res = await emu.api('GET', `/accounts/${emu.account}/secondary_dns/peers`, undefined, headers);
    expect(res.status).toBe(status);
    expect(res.body.errors[0].code).toBe(code);
    if (chain !== undefined) expect(res.body.errors[0].error_chain[0].code).toBe(chain);
  });
});

describe('accepted credentials', () => {
  test('GIVEN the start-up email and key WHEN calling any account THEN 200', async () => {
    const res = await emu.api('GET', `/accounts/${randomAccountId()}/secondary_dns/peers`, undefined, {
      authorization: null,
      'x-auth-email': EMAIL,
      'x-auth-key': KEY,
    });
    expect(res.status).toBe(200);
  });

  test('GIVEN the start-up token WHEN it verifies itself THEN an id and active', async () => {
    const res = await emu.api('GET', `${tokens}/verify`);
    expect(res.body.result).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), status: 'active' });
  });

  test('GIVEN email and key WHEN calling verify THEN 403 10000 (there is no token to verify)', async () => {
    const res = await emu.api('GET', `${tokens}/verify`, undefined, {
      authorization: null,
      'x-auth-email': EMAIL,
      'x-auth-key': KEY,
    });
    expect([res.status, res.body.errors[0].code]).toEqual([403, 10000]);
  });

  test('GIVEN a minted token WHEN it calls its own account THEN 200, and last_used_on is recorded', async () => {
    const { id, value } = await mint();
    expect(
      (await emu.api('GET', `/accounts/${emu.account}/secondary_dns/peers`, undefined, bearer(value))).status,
    ).toBe(200);
    expect((await emu.api('GET', `${tokens}/${id}`)).body.result.last_used_on).toMatch(/Z$/);
  });

  test('GIVEN a minted token WHEN it calls another account THEN 403 10000', async () => {
    const { value } = await mint();
    const res = await emu.api('GET', `/accounts/${randomAccountId()}/secondary_dns/peers`, undefined, bearer(value));
    expect([res.status, res.body.errors[0].code]).toEqual([403, 10000]);
  });
});

describe('minted tokens that must not authenticate', () => {
  test.each([
    ['an IP allow-list without the caller', { condition: { request_ip: { in: ['10.0.0.0/8'] } } }, 403, 9109],
    ['an IP deny-list with the caller', { condition: { request_ip: { not_in: ['127.0.0.0/8'] } } }, 403, 9109],
    ['not_before in the future', { not_before: '2999-01-01T00:00:00Z' }, 403, 10000],
    ['expires_on in the past', { expires_on: '2001-01-01T00:00:00Z' }, 403, 10000],
  ])('GIVEN a token with %s WHEN used THEN %i %i', async (_what, overrides, status, code) => {
    const { value } = await mint(overrides);
    const res = await emu.api('GET', `${tokens}/verify`, undefined, bearer(value));
    expect([res.status, res.body.errors[0].code]).toEqual([status, code]);
  });

  test('GIVEN a token allowed from 127.0.0.0/8 WHEN used from loopback THEN 200', async () => {
    const { value } = await mint({ condition: { request_ip: { in: ['127.0.0.0/8', '::1/128'] } } });
    expect((await emu.api('GET', `${tokens}/verify`, undefined, bearer(value))).status).toBe(200);
  });

  test('GIVEN a disabled token WHEN used THEN 403 10000; re-enabled THEN it works again', async () => {
    const { id, value } = await mint();
    await emu.api('PUT', `${tokens}/${id}`, tokenBody(emu.account, { status: 'disabled' }));
    expect((await emu.api('GET', `${tokens}/verify`, undefined, bearer(value))).status).toBe(403);
    await emu.api('PUT', `${tokens}/${id}`, tokenBody(emu.account, { status: 'active' }));
    expect((await emu.api('GET', `${tokens}/verify`, undefined, bearer(value))).status).toBe(200);
  });

  test('GIVEN a token revoked through the control API THEN it reads "revoked (exposed)", stays revoked on PUT, and cannot authenticate', async () => {
    const { id, value } = await mint();
    const set = await emu.control('PUT', `/accounts/${emu.account}/tokens/${id}/status`, {
      status: 'revoked (exposed)',
    });
    expect(set.status).toBe(200);
    expect((await emu.api('GET', `${tokens}/${id}`)).body.result.status).toBe('revoked (exposed)');
    const put = await emu.api('PUT', `${tokens}/${id}`, tokenBody(emu.account, { status: 'active' }));
    expect(put.body.result.status).toBe('revoked (exposed)');
    expect((await emu.api('GET', `${tokens}/verify`, undefined, bearer(value))).status).toBe(403);
  });
});
