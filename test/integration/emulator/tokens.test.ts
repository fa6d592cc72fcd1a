import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { TOKEN_QUOTA } from '../../../src/kinds/token/emulator.js';
import { randomAccountId, startTestEmulator, tokenBody, type TestEmulator } from '../../support/emulator.js';

let emu: TestEmulator;
let tokens: string;

beforeAll(async () => {
  emu = await startTestEmulator({ seed: 11, rateLimit: false });
  tokens = `/accounts/${emu.account}/tokens`;
});
afterEach(() => {
  emu.assertNoContractViolations();
});
afterAll(async () => {
  await emu.close();
});

const bearer = (value: string): Record<string, string> => ({ authorization: `Bearer ${value}` });

async function createToken(path = tokens, body: Record<string, unknown> = tokenBody(emu.account)) {
  const res = await emu.api('POST', path, body);
  expect(res.status).toBe(200);
  return { id: res.body.result.id as string, value: res.body.result.value as string, result: res.body.result };
}

describe('token values', () => {
  test('GIVEN a created token THEN the value is cfat_ + 40 + checksum and appears only in the create response', async () => {
    const { id, value } = await createToken();
    expect(value).toMatch(/^cfat_[A-Za-z0-9]{40}[0-9a-f]{8}$/);
    const get = await emu.api('GET', `${tokens}/${id}`);
    expect(get.body.result).not.toHaveProperty('value');
    const list = await emu.api('GET', `${tokens}?per_page=50`);
    expect(JSON.stringify(list.body)).not.toContain(value);
    expect(JSON.stringify(get.body)).not.toContain(value);
  });

  test('GIVEN a token WHEN rolled THEN same id, a new value, the old value stops authenticating at once', async () => {
    const { id, value } = await createToken();
    const roll = await emu.api('PUT', `${tokens}/${id}/value`, {});
    expect(roll.status).toBe(200);
    const fresh: string = roll.body.result;
    expect(fresh).not.toBe(value);
    const old = await emu.api('GET', `${tokens}/verify`, undefined, bearer(value));
    expect([old.status, old.body.errors[0].code]).toEqual([403, 10000]);
    const now = await emu.api('GET', `${tokens}/verify`, undefined, bearer(fresh));
    expect(now.body.result).toEqual({ id, status: 'active' });
  });

  test('GIVEN the SDK’s body-less roll WHEN sent THEN it is accepted', async () => {
    const { id } = await createToken();
    const roll = await emu.api('PUT', `${tokens}/${id}/value`);
    expect(roll.status).toBe(200);
    expect(roll.body.result).toMatch(/^cfat_/);
  });

  test('GIVEN a token with validity bounds WHEN it verifies itself THEN id, status and bounds come back', async () => {
    const bounds = { not_before: '2000-01-01T00:00:00Z', expires_on: '2999-01-01T00:00:00Z' };
    const { id, value } = await createToken(tokens, tokenBody(emu.account, bounds));
    const res = await emu.api('GET', `${tokens}/verify`, undefined, bearer(value));
    expect(res.body.result).toEqual({ id, status: 'active', ...bounds });
  });
});

describe('token reads and writes', () => {
  test('GIVEN a token WHEN PUT without condition/expiry THEN they are cleared and status follows the body', async () => {
    const body = tokenBody(emu.account, {
      condition: { request_ip: { in: ['127.0.0.0/8'] } },
      expires_on: '2999-01-01T00:00:00Z',
    });
    const { id, result } = await createToken(tokens, body);
    expect(result.condition).toEqual({ request_ip: { in: ['127.0.0.0/8'] } });
    const put = await emu.api(
      'PUT',
      `${tokens}/${id}`,
      tokenBody(emu.account, { name: 'renamed', status: 'disabled' }),
    );
    expect(put.status).toBe(200);
    expect(put.body.result).toMatchObject({ id, name: 'renamed', status: 'disabled' });
    expect(put.body.result).not.toHaveProperty('condition');
    expect(put.body.result).not.toHaveProperty('expires_on');
    const reenabled = await emu.api('PUT', `${tokens}/${id}`, tokenBody(emu.account));
    expect(reenabled.body.result.status).toBe('active');
  });

  test('GIVEN the older "request.ip" spelling WHEN a token is created THEN it is stored as request_ip', async () => {
    const { result } = await createToken(
      tokens,
      tokenBody(emu.account, { condition: { 'request.ip': { in: ['10.0.0.0/8'] } } }),
    );
    expect(result.condition).toEqual({ request_ip: { in: ['10.0.0.0/8'] } });
  });

  test('GIVEN several policies and groups WHEN read back THEN the order differs from the request, deterministically', async () => {
    const ids = [
      '82e64a83756745bbbb1c9c2701bf816b',
      'c8fed203ed3043cba015a93ad1616f1f',
      '4755a26eedb94da69e1066d98aa820be',
    ];
    const policies = [0, 1, 2].map((i) => ({
      effect: i === 1 ? 'deny' : 'allow',
      permission_groups: ids.map((id) => ({ id })),
      resources: { [`com.cloudflare.api.account.zone.${String(i).repeat(32)}`]: '*' },
    }));
    const { id } = await createToken(tokens, { name: 'ordered', policies });
    const first = (await emu.api('GET', `${tokens}/${id}`)).body.result.policies;
    const again = (await emu.api('GET', `${tokens}/${id}`)).body.result.policies;
    expect(again).toEqual(first);
    expect(first.map((p: { resources: object }) => Object.keys(p.resources)[0])).not.toEqual(
      policies.map((p) => Object.keys(p.resources)[0]),
    );
    for (const p of first) {
      expect(p.id).toMatch(/^[0-9a-f]{32}$/);
      expect(p.permission_groups.map((g: { id: string }) => g.id)).not.toEqual(ids);
      expect([...p.permission_groups.map((g: { id: string }) => g.id)].sort()).toEqual([...ids].sort());
      expect(p.permission_groups.find((g: { id: string }) => g.id === ids[0]).name).toBe('DNS Read');
    }
  });

  test.each([
    [
      'an unknown permission group',
      { policies: [{ effect: 'allow', permission_groups: [{ id: 'f'.repeat(32) }], resources: { x: '*' } }] },
      1002,
    ],
    ['no policies', { policies: [] }, 1001],
    ['a bad effect', { policies: [{ effect: 'maybe', permission_groups: [], resources: {} }] }, 1001],
    ['a name over 120 characters', { name: 'n'.repeat(121) }, 1001],
    ['a bad expires_on', { expires_on: 'tomorrow' }, 1001],
    ['expires_on before not_before', { not_before: '2030-01-01T00:00:00Z', expires_on: '2029-01-01T00:00:00Z' }, 1001],
  ])('GIVEN a token body with %s WHEN created THEN 400 with code %i', async (_what, overrides, code) => {
    const res = await emu.api('POST', tokens, tokenBody(emu.account, overrides));
    expect([res.status, res.body.errors[0].code]).toEqual([400, code]);
  });

  test('GIVEN a deleted token THEN get, update, roll and delete answer 404 7003 and its value no longer works', async () => {
    const { id, value } = await createToken();
    expect((await emu.api('DELETE', `${tokens}/${id}`)).body.result).toEqual({ id });
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['PUT', '', tokenBody(emu.account)],
      ['PUT', '/value', {}],
      ['DELETE', '', undefined],
    ] as const) {
      const res = await emu.api(method, `${tokens}/${id}${suffix}`, body);
      expect([res.status, res.body.errors[0].code]).toEqual([404, 7003]);
    }
    expect((await emu.api('GET', `${tokens}/verify`, undefined, bearer(value))).status).toBe(403);
  });
});

describe('listing, expiry and quota', () => {
  test('GIVEN 12 tokens WHEN paged by 5 THEN result_info adds up and pages do not overlap', async () => {
    const path = `/accounts/${randomAccountId()}/tokens`;
    for (let i = 0; i < 12; i++) await createToken(path, tokenBody(emu.account, { name: `t${i}` }));
    const seen = new Set<string>();
    for (const page of [1, 2, 3]) {
      const res = await emu.api('GET', `${path}?page=${page}&per_page=5`);
      expect(res.body.result_info).toEqual({
        page,
        per_page: 5,
        count: page === 3 ? 2 : 5,
        total_count: 12,
        total_pages: 3,
      });
      for (const t of res.body.result) seen.add(t.id);
    }
    expect(seen.size).toBe(12);
    const desc = await emu.api('GET', `${path}?per_page=50&direction=desc`);
    const asc = await emu.api('GET', `${path}?per_page=50&direction=asc`);
    expect(desc.body.result.map((t: { id: string }) => t.id)).toEqual(
      asc.body.result.map((t: { id: string }) => t.id).reverse(),
    );
  });

  test.each([['per_page=4'], ['per_page=51'], ['page=0'], ['direction=up']])(
    'GIVEN list query %s WHEN called THEN 400 1001',
    async (query) => {
      const res = await emu.api('GET', `${tokens}?${query}`);
      expect([res.status, res.body.errors[0].code]).toEqual([400, 1001]);
    },
  );

  test('GIVEN a token whose expires_on passes on the emulator clock THEN it reads expired, leaves the default list and stops authenticating', async () => {
    const path = `/accounts/${randomAccountId()}/tokens`;
    const clock = await emu.control('GET', '/clock');
    const expires = new Date((clock.body.nowMs as number) + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const { id, value } = await createToken(path, tokenBody(emu.account, { expires_on: expires }));
    expect((await emu.api('GET', `${path}/verify`, undefined, bearer(value))).status).toBe(200);
    await emu.control('POST', '/clock/advance', { seconds: 3601 });
    try {
      expect((await emu.api('GET', `${path}/${id}`)).body.result.status).toBe('expired');
      expect((await emu.api('GET', path)).body.result).toEqual([]);
      const withExpired = await emu.api('GET', `${path}?include_expired=true`);
      expect(withExpired.body.result.map((t: { id: string }) => t.id)).toEqual([id]);
      expect((await emu.api('GET', `${path}/verify`, undefined, bearer(value))).status).toBe(403);
    } finally {
      emu.core.clock.reset();
    }
  });

  test(`GIVEN an account with ${TOKEN_QUOTA} tokens WHEN one more is created THEN 400 1003, and deleting one frees a slot`, async () => {
    const path = `/accounts/${randomAccountId()}/tokens`;
    const created: string[] = [];
    for (let i = 0; i < TOKEN_QUOTA; i++)
      created.push((await createToken(path, tokenBody(emu.account, { name: `q${i}` }))).id);
    const over = await emu.api('POST', path, tokenBody(emu.account));
    expect([over.status, over.body.errors[0].code]).toEqual([400, 1003]);
    await emu.api('DELETE', `${path}/${created[0]}`);
    expect((await emu.api('POST', path, tokenBody(emu.account))).status).toBe(200);
  });
});

describe('permission groups', () => {
  test('GIVEN the catalog WHEN listed THEN all 317 come back with names repeated across scopes', async () => {
    const res = await emu.api('GET', `${tokens}/permission_groups`);
    expect(res.body.result).toHaveLength(317);
    const logsRead = res.body.result.filter((g: { name: string }) => g.name === 'Logs Read');
    expect(logsRead.map((g: { scopes: string[] }) => g.scopes[0]).sort()).toEqual([
      'com.cloudflare.api.account',
      'com.cloudflare.api.account.zone',
    ]);
  });

  test.each([
    ['name=Logs%20Read', 2],
    ['name=Logs%20Read&scope=com.cloudflare.api.account.zone', 1],
    ['name=Zone%20Read', 1],
    ['name=No%20Such%20Group', 0],
  ])('GIVEN filter %s WHEN listed THEN %i groups match', async (query, count) => {
    const res = await emu.api('GET', `${tokens}/permission_groups?${query}`);
    expect(res.body.result).toHaveLength(count);
  });
});
