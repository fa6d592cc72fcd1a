import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { CloudflareApiError } from '../../../src/cloudflare/api-error.js';
import { baseUrlFromEnv } from '../../../src/cloudflare/base-url.js';
import { createCloudflareClient } from '../../../src/cloudflare/cloudflare-client.js';
import { Pacer } from '../../../src/cloudflare/pacer.js';
import { VirtualClock } from '../../../src/cloudflare/virtual-clock.js';
import { CfgitopsError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { Secret } from '../../../src/secret.js';
import { startClientHarness, type ClientHarness } from './client-harness.js';

const DNS_READ = '82e64a83756745bbbb1c9c2701bf816b';

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

async function rejection(p: Promise<unknown>): Promise<CloudflareApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CloudflareApiError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

function policies(groupId: string) {
  return [
    {
      effect: 'allow' as const,
      permission_groups: [{ id: groupId }],
      resources: { [`com.cloudflare.api.account.${h.account}`]: '*' },
    },
  ];
}

function attemptsOf(method: string, pathPart: string): number {
  return h.sent.filter((s) => s.method === method && s.path.includes(pathPart)).length;
}

describe('Cloudflare client error mapping against the emulator', () => {
  test('GIVEN an unknown token WHEN it calls the API THEN E_API_AUTH with code 10000, at once', async () => {
    const stranger = h.otherClient(new Secret('unknownunknownunknownunknownunknown0000'));
    const before = attemptsOf('GET', '/secondary_dns/peers');
    const e = await rejection(stranger.listPeers(h.account));
    expect(e).toBeInstanceOf(CloudflareApiError);
    expect(e).toMatchObject({
      code: 'E_API_AUTH',
      status: 403,
      method: 'GET',
      route: `/accounts/${h.account}/secondary_dns/peers`,
    });
    // The real call, never the route template (issue #13, defect 7).
    expect(e.message).toContain(`GET /accounts/${h.account}/secondary_dns/peers failed with 403`);
    expect(e.message).not.toContain('{account_id}');
    expect(e.cfErrors.map((c) => c.code)).toEqual([10000]);
    expect(attemptsOf('GET', '/secondary_dns/peers') - before).toBe(1);
    expect(JSON.stringify(e.toJSON())).not.toContain('unknownunknown');
  });

  test('GIVEN a token too short for the Authorization format WHEN sent THEN 400 6003/6111 with the malformed-header hint', async () => {
    const e = await rejection(h.otherClient(new Secret('short-token')).listPeers(h.account));
    expect(e).toMatchObject({ code: 'E_API_AUTH', status: 400 });
    expect(e.cfErrors.map((c) => c.code)).toEqual([6003, 6111]);
    expect(e.hint).toMatch(/CLOUDFLARE_API_TOKEN/);
  });

  test('GIVEN a token whose IP condition excludes loopback WHEN it is used THEN E_API_AUTH with code 9109', async () => {
    const created = await h.client.createToken(h.account, {
      name: 'elsewhere-only',
      policies: policies(DNS_READ),
      condition: { request_ip: { in: ['192.0.2.0/24'] } },
    });
    const e = await rejection(h.client.verifyToken(h.account, created.value));
    expect(e).toMatchObject({ code: 'E_API_AUTH', status: 403 });
    expect(e.cfErrors.map((c) => c.code)).toEqual([9109]);
    expect(e.hint).toMatch(/request_ip/);
  });

  test('GIVEN a token id that does not exist WHEN read THEN E_API_NOT_FOUND naming the path called', async () => {
    const e = await rejection(h.client.getToken(h.account, 'f'.repeat(32)));
    expect(e).toMatchObject({
      code: 'E_API_NOT_FOUND',
      status: 404,
      route: `/accounts/${h.account}/tokens/${'f'.repeat(32)}`,
    });
  });

  test('GIVEN an unknown permission group WHEN a token is created THEN a 400 E_API, not retried, nothing created', async () => {
    const before = attemptsOf('POST', '/tokens');
    const e = await rejection(
      h.client.createToken(h.account, { name: 'bad-group', policies: policies('0'.repeat(32)) }),
    );
    expect(e).toMatchObject({ code: 'E_API', status: 400, method: 'POST' });
    expect(e.cfErrors.map((c) => c.code)).toEqual([1002]);
    expect(attemptsOf('POST', '/tokens') - before).toBe(1);
    expect((await h.client.listTokens(h.account)).filter((t) => t.name === 'bad-group')).toEqual([]);
  });

  test('GIVEN nothing listens on the port WHEN called THEN E_API_NETWORK after the retries, marked as never applied', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => {
      server.close(() => {
        r();
      });
    });
    const clock = new VirtualClock();
    const client = createCloudflareClient({
      baseUrl: `http://127.0.0.1:${port}/client/v4`,
      credentials: { type: 'token', token: new Secret('closed-port-token-000000000000000') },
      clock,
      random: () => 0.5,
      log: silentLogger(),
      pacing: new Pacer({ requests: 1000, windowSeconds: 1 }, clock),
      retry: { retries: 2, minTimeoutMs: 0, maxTimeoutMs: 0, deadlineSeconds: 60 },
      timeouts: { connectMs: 2_000, headersMs: 2_000, bodyMs: 2_000 },
    });
    try {
      const e = await rejection(client.createPeer(h.account, 'never'));
      expect(e).toMatchObject({ code: 'E_API_NETWORK', mayHaveApplied: false });
      expect(client.pacer.stats().granted).toBe(3);
    } finally {
      await client.close();
    }
  });

  test('GIVEN a token undici refuses to put in a header WHEN many calls run at once THEN each fails once with E_API_REQUEST, never sent', async () => {
    const clock = new VirtualClock();
    // Built past credentialsFromEnv (which refuses this value) to prove the client's own mapping.
    const client = createCloudflareClient({
      baseUrl: h.emulator.baseUrl,
      credentials: { type: 'token', token: new Secret('abcdefghijkl\nmnopqrstuvwxyz') },
      clock,
      random: () => 0.5,
      log: silentLogger(),
      pacing: new Pacer({ requests: 1000, windowSeconds: 1 }, clock),
      retry: { retries: 3, minTimeoutMs: 0, maxTimeoutMs: 0, deadlineSeconds: 60 },
      timeouts: { connectMs: 2_000, headersMs: 2_000, bodyMs: 2_000 },
    });
    const seen = h.responses.length;
    try {
      for (let round = 0; round < 3; round++) {
        const calls = [
          ...Array.from({ length: 6 }, () => client.listPeers(h.account)),
          ...Array.from({ length: 6 }, (_, i) => client.createPeer(h.account, `never-${round}-${i}`)),
        ];
        const errors = await Promise.all(calls.map((c) => rejection(c)));
        for (const e of errors) {
          expect(e).toMatchObject({ code: 'E_API_REQUEST', mayHaveApplied: false });
          expect(e.format()).not.toContain('mnopqrstuvwxyz');
        }
      }
      expect(client.pacer.stats().granted).toBe(36);
      expect(h.responses.length).toBe(seen);
    } finally {
      await client.close();
    }
  });

  test.each(['http://api.example.com/client/v4', 'http://10.1.2.3:8080/client/v4', 'http://192.168.1.1/client/v4'])(
    'GIVEN the plain-http base URL %s WHEN a client is built THEN E_INSECURE_BASE_URL naming it',
    (url) => {
      const clock = new VirtualClock();
      const build = () =>
        createCloudflareClient({
          baseUrl: url,
          credentials: { type: 'token', token: new Secret('insecure-url-token-0000000000000') },
          clock,
          random: () => 0.5,
          log: silentLogger(),
          pacing: { requests: 10, windowSeconds: 1 },
          retry: { retries: 0, minTimeoutMs: 0, maxTimeoutMs: 0, deadlineSeconds: 1 },
          timeouts: { connectMs: 1, headersMs: 1, bodyMs: 1 },
        });
      let error: unknown;
      try {
        build();
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'E_INSECURE_BASE_URL' });
      expect((error as CfgitopsError).message).toContain(new URL(url).host);
      expect(() => baseUrlFromEnv({ CLOUDFLARE_BASE_URL: url })).toThrow(CfgitopsError);
    },
  );
});
