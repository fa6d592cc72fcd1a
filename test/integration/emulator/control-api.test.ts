import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { startTestEmulator, tokenBody, type TestEmulator } from '../../support/emulator.js';

let emu: TestEmulator;

beforeAll(async () => {
  emu = await startTestEmulator({ seed: 5 });
});
afterEach(() => {
  emu.assertNoContractViolations();
});
afterAll(async () => {
  await emu.close();
});

const TSIG = { name: 'k.', algo: 'hmac-sha256.', secret: 'dHNpZy1zZWNyZXQtZm9yLWNvbnRyb2wtdGVzdA==' };

test('GIVEN some traffic WHEN the control API is asked THEN counts, resources, secrets and reset all tell the truth', async () => {
  const a = emu.account;
  const tsig = (await emu.api('POST', `/accounts/${a}/secondary_dns/tsigs`, TSIG)).body.result;
  const token = (await emu.api('POST', `/accounts/${a}/tokens`, tokenBody(a))).body.result;
  await emu.api('GET', `/accounts/${a}/secondary_dns/peers/${'e'.repeat(32)}`);

  const counts = (await emu.control('GET', '/requests')).body;
  expect(counts.byOperation).toEqual({
    'secondary-dns-(-tsig)-create-tsig': { '200': 1 },
    'account-api-tokens-create-token': { '200': 1 },
    'secondary-dns-(-peer)-peer-details': { '404': 1 },
  });
  expect(counts.total).toBe(3);

  const plain = (await emu.control('GET', '/resources')).body.accounts[a];
  expect(plain.tsigs).toEqual([{ id: tsig.id, name: TSIG.name, algo: TSIG.algo }]);
  expect(plain.tokens[0]).not.toHaveProperty('value_sha256');
  expect(JSON.stringify(plain)).not.toContain(TSIG.secret);
  expect(JSON.stringify(plain)).not.toContain(token.value);
  const withSecrets = (await emu.control('GET', `/resources?secrets=1&account=${a}`)).body.accounts[a];
  expect(withSecrets.tsigs[0].secret).toBe(TSIG.secret);

  const secrets: string[] = (await emu.control('GET', '/secrets')).body.secrets;
  expect(secrets).toEqual(expect.arrayContaining([TSIG.secret, token.value, emu.apiToken]));
  const rolled: string = (await emu.api('PUT', `/accounts/${a}/tokens/${token.id}/value`, {})).body.result;
  expect((await emu.control('GET', '/secrets')).body.secrets).toContain(rolled);

  expect((await emu.control('POST', '/reset')).status).toBe(200);
  expect((await emu.control('GET', '/resources')).body.accounts).toEqual({});
  expect((await emu.control('GET', '/requests')).body.total).toBe(0);
  expect((await emu.control('GET', '/secrets')).body.secrets).toEqual([emu.apiToken]);
});

test('GIVEN the clock control WHEN advanced THEN now moves by exactly that much', async () => {
  const before = (await emu.control('GET', '/clock')).body;
  const after = (await emu.control('POST', '/clock/advance', { ms: 90_000 })).body;
  expect(after.offsetMs - before.offsetMs).toBe(90_000);
  expect(after.nowMs - before.nowMs).toBeGreaterThanOrEqual(90_000);
  expect((await emu.control('POST', '/clock/advance', { ms: -1 })).status).toBe(400);
});

test.each([
  [
    'PUT',
    '/accounts/0123456789abcdef0123456789abcdef/tokens/0123456789abcdef0123456789abcdef/status',
    { status: 'active' },
    404,
  ],
  ['GET', '/nothing-here', undefined, 404],
  ['PUT', '/rate-limit', { quota: 0 }, 400],
])('GIVEN control call %s %s WHEN sent THEN %i', async (method, path, body, status) => {
  expect((await emu.control(method, path, body)).status).toBe(status);
});

test('GIVEN a token WHEN the control API sets an unknown status THEN 400 and the status is unchanged', async () => {
  const a = emu.account;
  const token = (await emu.api('POST', `/accounts/${a}/tokens`, tokenBody(a))).body.result;
  const res = await emu.control('PUT', `/accounts/${a}/tokens/${token.id}/status`, { status: 'expired' });
  expect(res.status).toBe(400);
  expect((await emu.api('GET', `/accounts/${a}/tokens/${token.id}`)).body.result.status).toBe('active');
});
