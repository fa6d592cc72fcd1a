import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { CloudflareApiError } from '../../../src/cloudflare/api-error.js';
import type { CfTokenBody } from '../../../src/cloudflare/types.js';
import { Secret } from '../../../src/secret.js';
import { emulatorSecrets, startClientHarness, type ClientHarness } from './client-harness.js';

const DNS_READ = '82e64a83756745bbbb1c9c2701bf816b';
const ZONE_READ = 'c8fed203ed3043cba015a93ad1616f1f';

let h: ClientHarness;
beforeAll(async () => {
  h = await startClientHarness();
});
afterEach(() => {
  h.assertContract();
});
afterAll(async () => {
  await h.close();
});

function tokenBody(name: string, extra: Partial<CfTokenBody> = {}): CfTokenBody {
  return {
    name,
    policies: [
      {
        effect: 'allow',
        permission_groups: [{ id: DNS_READ }],
        resources: { [`com.cloudflare.api.account.${h.account}`]: '*' },
      },
    ],
    ...extra,
  };
}

async function rejection(p: Promise<unknown>): Promise<CloudflareApiError> {
  try {
    await p;
  } catch (e) {
    return e as CloudflareApiError;
  }
  throw new Error('expected a rejection');
}

describe('Cloudflare client operations against the emulator', () => {
  test('GIVEN the catalog WHEN permission groups are listed (all, and by name) THEN ids and scopes come back', async () => {
    const all = await h.client.listPermissionGroups(h.account);
    expect(all.length).toBeGreaterThan(300);
    expect(all.find((g) => g.id === ZONE_READ)?.name).toBe('Zone Read');
    const logs = await h.client.listPermissionGroups(h.account, { name: 'Logs Read' });
    expect(new Set(logs.map((g) => g.name))).toEqual(new Set(['Logs Read']));
    expect(logs.length).toBeGreaterThanOrEqual(2);
  });

  test('GIVEN a TSIG WHEN created, listed, updated and deleted THEN each step round-trips and the secret stays wrapped', async () => {
    const secret = new Secret('c2VjcmV0LXRzaWctdmFsdWUtZm9yLXRlc3Rz');
    const created = await h.client.createTsig(h.account, { name: 'tsig.example.com.', algo: 'hmac-sha512.', secret });
    expect(created.recovered).toBe(false);
    expect(created.resource.secret).toBeInstanceOf(Secret);
    expect(created.resource.secret.equals(secret)).toBe(true);
    const listed = await h.client.listTsigs(h.account);
    expect(listed.map((t) => t.id)).toContain(created.resource.id);
    const secret2 = new Secret('bmV3LXNlY3JldC10c2lnLXZhbHVlLWZvci10ZXN0cw==');
    const updated = await h.client.updateTsig(h.account, created.resource.id, {
      name: 'tsig.example.com.',
      algo: 'hmac-sha256.',
      secret: secret2,
    });
    expect(updated.algo).toBe('hmac-sha256.');
    expect(updated.secret.equals(secret2)).toBe(true);
    await h.client.deleteTsig(h.account, created.resource.id);
    expect((await h.client.listTsigs(h.account)).map((t) => t.id)).not.toContain(created.resource.id);
  });

  test('GIVEN a peer WHEN created with its name, then PUT in full, listed and deleted THEN the fields land', async () => {
    const tsig = await h.client.createTsig(h.account, {
      name: 'peer-tsig.',
      algo: 'hmac-sha512.',
      secret: new Secret('cGVlci10c2lnLXNlY3JldC1zZWNyZXQ='),
    });
    const created = await h.client.createPeer(h.account, 'ns1.example.com');
    expect(created).toMatchObject({ recovered: false, resource: { name: 'ns1.example.com' } });
    const body = { name: 'ns1.example.com', ip: '192.0.2.53', port: 53, ixfr_enable: true, tsig_id: tsig.resource.id };
    const updated = await h.client.updatePeer(h.account, created.resource.id, body);
    expect(updated).toEqual({ id: created.resource.id, ...body });
    expect(await h.client.listPeers(h.account)).toContainEqual(updated);
    await h.client.deletePeer(h.account, created.resource.id);
    expect(await h.client.listPeers(h.account)).not.toContainEqual(updated);
  });

  test('GIVEN a token WHEN created, read, updated, rolled, verified and deleted THEN the contract holds at each step', async () => {
    const condition = { request_ip: { in: ['127.0.0.0/8', '::1/128'] } };
    const created = await h.client.createToken(h.account, tokenBody('ops-token', { condition }));
    expect(created.recovered).toBe(false);
    expect(created.value).toBeInstanceOf(Secret);
    const id = created.resource.id;
    expect(await h.client.getToken(h.account, id)).toMatchObject({
      id,
      name: 'ops-token',
      status: 'active',
      condition,
    });

    const updated = await h.client.updateToken(
      h.account,
      id,
      tokenBody('ops-token-renamed', {
        status: 'active',
        policies: [
          {
            effect: 'allow',
            permission_groups: [{ id: DNS_READ }, { id: ZONE_READ }],
            resources: { [`com.cloudflare.api.account.${h.account}`]: { 'com.cloudflare.api.account.zone.*': '*' } },
          },
        ],
      }),
    );
    expect(updated.name).toBe('ops-token-renamed');
    expect(new Set(updated.policies[0]?.permission_groups.map((g) => g.id))).toEqual(new Set([DNS_READ, ZONE_READ]));
    // PUT is a full replacement: the condition not sent is gone.
    expect(updated.condition?.request_ip).toBeUndefined();

    const verified = await h.client.verifyToken(h.account, created.value);
    expect(verified).toMatchObject({ id, status: 'active' });
    const rolled = await h.client.rollToken(h.account, id);
    expect(rolled.equals(created.value)).toBe(false);
    expect((await h.client.verifyToken(h.account, rolled)).id).toBe(id);
    expect((await rejection(h.client.verifyToken(h.account, created.value))).code).toBe('E_API_AUTH');

    await h.client.deleteToken(h.account, id);
    expect((await rejection(h.client.getToken(h.account, id))).code).toBe('E_API_NOT_FOUND');
  });

  test('GIVEN a primary and a secondary zone WHEN their details are read THEN full and secondary; an unknown zone, or a 403, is undefined', async () => {
    const full = 'e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5';
    const secondary = 'f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6';
    for (const [id, name, type] of [
      [full, 'ops-full.example', 'primary'],
      [secondary, 'ops-secondary.example', 'secondary'],
    ] as const) {
      const r = await h.emulator.control('POST', '/zones', { account: h.account, id, name, type });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    expect(await h.client.getZone(full)).toEqual({ id: full, name: 'ops-full.example', type: 'full' });
    expect(await h.client.getZone(secondary)).toEqual({
      id: secondary,
      name: 'ops-secondary.example',
      type: 'secondary',
    });
    expect(await h.client.getZone('0'.repeat(32))).toBeUndefined();
    // A credential without "Zone Read": nothing known, and no failure (Cloudflare decides at apply time).
    await h.emulator.control('PUT', '/faults', {
      rules: [{ kind: 'error', operationId: 'zones-0-get', status: 403, times: 1 }],
    });
    expect(await h.client.getZone(full)).toBeUndefined();
    await h.emulator.control('PUT', '/faults', { rules: [] });
    // Anything else still fails.
    await h.emulator.control('PUT', '/faults', {
      rules: [{ kind: 'error', operationId: 'zones-0-get', status: 400, times: 1 }],
    });
    expect((await rejection(h.client.getZone(full))).status).toBe(400);
    await h.emulator.control('PUT', '/faults', { rules: [] });
  });

  test('GIVEN the client WHEN described THEN base URL and auth type, never the credential', () => {
    const text = h.client.describe();
    expect(text).toContain(h.emulator.baseUrl);
    expect(text).toContain('API token');
    expect(text).not.toContain(h.emulator.apiToken);
  });

  test('GIVEN everything above ran with debug logging WHEN the logs are searched THEN no secret appears', () => {
    expect(h.logs.length).toBeGreaterThan(10);
    const all = h.logs.join('\n');
    for (const s of emulatorSecrets(h)) expect(all).not.toContain(s);
  });
});
