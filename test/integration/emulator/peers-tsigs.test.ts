import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';

let emu: TestEmulator;
let peers: string;
let tsigs: string;

beforeAll(async () => {
  emu = await startTestEmulator({ seed: 7 });
  peers = `/accounts/${emu.account}/secondary_dns/peers`;
  tsigs = `/accounts/${emu.account}/secondary_dns/tsigs`;
});
afterEach(() => {
  emu.assertNoContractViolations();
});
afterAll(async () => {
  await emu.close();
});

const TSIG = { name: 'tsig.example.com.', algo: 'hmac-sha512.', secret: 'c2VjcmV0LXRzaWctdmFsdWUtZm9yLXRlc3Rz' };

describe('TSIG keys', () => {
  test('GIVEN a created TSIG WHEN it is read, listed, replaced and deleted THEN each step answers like Cloudflare', async () => {
    const created = await emu.api('POST', tsigs, TSIG);
    expect(created.status).toBe(200);
    const id: string = created.body.result.id;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect((await emu.api('GET', `${tsigs}/${id}`)).body.result).toEqual({ id, ...TSIG });
    expect((await emu.api('GET', tsigs)).body.result).toContainEqual({ id, ...TSIG });
    const replaced = await emu.api('PUT', `${tsigs}/${id}`, { ...TSIG, algo: 'hmac-sha256.' });
    expect(replaced.body.result.algo).toBe('hmac-sha256.');
    expect((await emu.api('DELETE', `${tsigs}/${id}`)).body.result).toEqual({ id });
    const gone = await emu.api('GET', `${tsigs}/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.errors[0].code).toBe(1551);
  });

  test.each([
    ['missing secret', { name: 'a.', algo: 'hmac-sha512.' }, 1001, '/secret'],
    ['unknown algorithm', { ...TSIG, algo: 'rot13.' }, 1001, '/algo'],
    ['wrong type', { ...TSIG, name: 5 }, 1001, '/name'],
  ])('GIVEN a TSIG body with %s WHEN created THEN 400 with code %i at %s', async (_what, body, code, pointer) => {
    const res = await emu.api('POST', tsigs, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, result: null, messages: [] });
    expect(res.body.errors[0]).toMatchObject({ code, source: { pointer } });
  });

  test('GIVEN a TSIG a peer points at WHEN it is deleted THEN 400 1554 and it stays', async () => {
    const tsig = (await emu.api('POST', tsigs, TSIG)).body.result.id;
    const peer = (await emu.api('POST', peers, { name: 'uses-tsig' })).body.result.id;
    await emu.api('PUT', `${peers}/${peer}`, { name: 'uses-tsig', tsig_id: tsig });
    const res = await emu.api('DELETE', `${tsigs}/${tsig}`);
    expect([res.status, res.body.errors[0].code]).toEqual([400, 1554]);
    expect((await emu.api('GET', `${tsigs}/${tsig}`)).status).toBe(200);
  });
});

describe('peers', () => {
  test('GIVEN a peer POST with only a name WHEN created THEN the result has an id and just the name', async () => {
    const res = await emu.api('POST', peers, { name: 'primary-1' });
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'primary-1' });
  });

  test.each(['ip', 'port', 'ixfr_enable', 'tsig_id'])(
    'GIVEN a peer POST that also sends %s WHEN created THEN 400 1001 points at it and nothing is created',
    async (field) => {
      const before = (await emu.api('GET', peers)).body.result.length;
      const values: Record<string, unknown> = { ip: '192.0.2.1', port: 53, ixfr_enable: true, tsig_id: 'a'.repeat(32) };
      const res = await emu.api('POST', peers, { name: 'whole-body', [field]: values[field] });
      expect(res.status).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ code: 1001, source: { pointer: `/${field}` } });
      expect((await emu.api('GET', peers)).body.result.length).toBe(before);
    },
  );

  test('GIVEN a configured peer WHEN PUT omits optional fields THEN they are cleared (full replacement)', async () => {
    const tsig = (await emu.api('POST', tsigs, TSIG)).body.result.id;
    const id = (await emu.api('POST', peers, { name: 'p' })).body.result.id;
    const full = { name: 'p', ip: '2001:db8::53', port: 5353, ixfr_enable: true, tsig_id: tsig };
    expect((await emu.api('PUT', `${peers}/${id}`, full)).body.result).toEqual({ id, ...full });
    const replaced = await emu.api('PUT', `${peers}/${id}`, { name: 'p2' });
    expect(replaced.body.result).toEqual({ id, name: 'p2' });
    expect((await emu.api('GET', `${peers}/${id}`)).body.result).toEqual({ id, name: 'p2' });
  });

  test.each([
    ['no name', { ip: '192.0.2.1' }, 1001],
    ['a bad ip', { name: 'p', ip: '999.1.1.1' }, 1001],
    ['a bad port', { name: 'p', port: 70000 }, 1001],
    ['an unknown tsig_id', { name: 'p', tsig_id: 'f'.repeat(32) }, 1553],
  ])('GIVEN a peer PUT with %s WHEN sent THEN 400 with code %i', async (_what, body, code) => {
    const id = (await emu.api('POST', peers, { name: 'p' })).body.result.id;
    const res = await emu.api('PUT', `${peers}/${id}`, body);
    expect([res.status, res.body.errors[0].code]).toEqual([400, code]);
  });

  test('GIVEN a deleted peer WHEN read, replaced or deleted again THEN 404 1551', async () => {
    const id = (await emu.api('POST', peers, { name: 'short-lived' })).body.result.id;
    expect((await emu.api('DELETE', `${peers}/${id}`)).body.result).toEqual({ id });
    for (const [method, body] of [['GET'], ['PUT', { name: 'x' }], ['DELETE']] as const) {
      const res = await emu.api(method, `${peers}/${id}`, body);
      expect([res.status, res.body.errors[0].code]).toEqual([404, 1551]);
    }
  });

  test('GIVEN two accounts WHEN each creates a peer THEN neither sees the other’s', async () => {
    const other = `/accounts/${'0'.repeat(32)}/secondary_dns/peers`;
    const id = (await emu.api('POST', other, { name: 'elsewhere' })).body.result.id;
    const mine = (await emu.api('GET', peers)).body.result as { id: string }[];
    expect(mine.map((p) => p.id)).not.toContain(id);
    expect((await emu.api('GET', `${peers}/${id}`)).status).toBe(404);
  });
});

describe('routing and envelopes', () => {
  test.each([
    ['GET', '/accounts/not-hex/secondary_dns/peers', 404, 7003],
    ['GET', '/accounts/{A}/secondary_dns/zones', 404, 7000],
    ['PATCH', '/accounts/{A}/secondary_dns/peers', 405, 7001],
  ])('GIVEN %s %s WHEN called THEN %i with code %i', async (method, path, status, code) => {
    const res = await emu.api(method, path.replace('{A}', emu.account));
    expect([res.status, res.body.errors[0].code, res.body.result]).toEqual([status, code, null]);
  });

  test.each([
    ['GET', '/accounts/{A}/secondary_dns/peers'],
    ['GET', '/accounts/{A}/nowhere'],
    ['GET', '/accounts/zzz/secondary_dns/tsigs'],
    ['POST', '/accounts/{A}/secondary_dns/tsigs'],
  ])('GIVEN %s %s WHEN answered THEN the Ratelimit headers are there whatever the status', async (method, path) => {
    const res = await emu.api(method, path.replace('{A}', emu.account), method === 'POST' ? {} : undefined);
    expect(res.headers.get('ratelimit')).toMatch(/^"default";r=\d+;t=\d+$/);
    expect(res.headers.get('ratelimit-policy')).toBe('"burst";q=1200;w=300');
  });

  test('GIVEN a body that is not JSON WHEN posted THEN 400 6007', async () => {
    const res = await emu.api('POST', peers, '{"name":');
    expect([res.status, res.body.errors[0].code]).toEqual([400, 6007]);
  });
});
