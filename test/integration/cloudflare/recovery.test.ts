import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { FaultRule } from '../../../src/emulator/faults.js';
import { Secret } from '../../../src/secret.js';
import { startClientHarness, type ClientHarness } from './client-harness.js';

const DNS_READ = '82e64a83756745bbbb1c9c2701bf816b';
const CREATE_TOKEN = 'account-api-tokens-create-token';
const CREATE_TSIG = 'secondary-dns-(-tsig)-create-tsig';
const CREATE_PEER = 'secondary-dns-(-peer)-create-peer';

let h: ClientHarness;
beforeAll(async () => {
  h = await startClientHarness();
});
beforeEach(() => {
  h.emulator.faults.set([]);
});
afterEach(() => {
  h.assertContract();
});
afterAll(async () => {
  await h.close();
});

function once(kind: FaultRule['kind'], operationId: string, extra: Partial<FaultRule> = {}): void {
  h.emulator.faults.set([{ kind, operationId, times: 1, ...extra }]);
}

function outcomes(operationId: string): Record<string, number> {
  return h.emulator.counts.toJSON().byOperation[operationId] ?? {};
}

function tokenBody(name: string) {
  return {
    name,
    policies: [
      {
        effect: 'allow' as const,
        permission_groups: [{ id: DNS_READ }],
        resources: { [`com.cloudflare.api.account.${h.account}`]: '*' },
      },
    ],
  };
}

describe('creates after ambiguous failures', () => {
  test('GIVEN the token create commits and the answer is dropped WHEN created THEN one token exists, recovered, value undefined', async () => {
    once('commit-then-drop', CREATE_TOKEN);
    const out = await h.client.createToken(h.account, tokenBody('dropped-token'));
    expect(out.recovered).toBe(true);
    expect(out.value).toBeUndefined();
    const live = (await h.client.listTokens(h.account)).filter((t) => t.name === 'dropped-token');
    expect(live.map((t) => t.id)).toEqual([out.resource.id]);
    expect(outcomes(CREATE_TOKEN)).toEqual({ 'commit-then-drop': 1 });
    // The executor's way out: roll the recovered token to get a usable value.
    const value = await h.client.rollToken(h.account, out.resource.id);
    expect((await h.client.verifyToken(h.account, value)).id).toBe(out.resource.id);
  });

  test('GIVEN the TSIG create commits and the answer is dropped WHEN created THEN exactly one TSIG, recovered', async () => {
    once('commit-then-drop', CREATE_TSIG);
    const secret = new Secret('ZHJvcHBlZC10c2lnLXNlY3JldC12YWx1ZQ==');
    const out = await h.client.createTsig(h.account, { name: 'dropped.tsig.', algo: 'hmac-sha512.', secret });
    expect(out.recovered).toBe(true);
    expect(out.resource.secret.equals(secret)).toBe(true);
    expect((await h.client.listTsigs(h.account)).filter((t) => t.name === 'dropped.tsig.')).toHaveLength(1);
  });

  test('GIVEN the peer create commits and the answer is dropped WHEN created THEN exactly one peer, recovered', async () => {
    once('commit-then-drop', CREATE_PEER);
    const out = await h.client.createPeer(h.account, 'dropped-peer');
    expect(out.recovered).toBe(true);
    expect((await h.client.listPeers(h.account)).filter((p) => p.name === 'dropped-peer')).toHaveLength(1);
  });

  test.each([
    { kind: 'error' as const, status: 503 },
    { kind: 'reset' as const, status: undefined },
  ])(
    'GIVEN the first create fails ambiguously without committing ($kind) WHEN created THEN it is looked up, absent, and posted again once',
    async ({ kind, status }) => {
      once(kind, CREATE_PEER, status === undefined ? {} : { status });
      const before = outcomes(CREATE_PEER)['200'] ?? 0;
      const out = await h.client.createPeer(h.account, `retried-${kind}`);
      expect(out.recovered).toBe(false);
      expect((await h.client.listPeers(h.account)).filter((p) => p.name === `retried-${kind}`)).toHaveLength(1);
      expect((outcomes(CREATE_PEER)['200'] ?? 0) - before).toBe(1);
    },
  );

  test('GIVEN a 429 on create WHEN created THEN it is simply retried (never applied), no lookup', async () => {
    once('error', CREATE_TSIG, { status: 429 });
    const lists = outcomes('secondary-dns-(-tsig)-list-tsi-gs')['200'] ?? 0;
    const out = await h.client.createTsig(h.account, {
      name: 'limited.tsig.',
      algo: 'hmac-sha256.',
      secret: new Secret('bGltaXRlZC10c2lnLXNlY3JldC12YWx1ZQ=='),
    });
    expect(out.recovered).toBe(false);
    expect(outcomes('secondary-dns-(-tsig)-list-tsi-gs')['200'] ?? 0).toBe(lists);
  });
  test('GIVEN two peers already share the name WHEN a third create of that name is dropped after commit THEN E_API says it cannot tell, and nothing more is created', async () => {
    await h.client.createPeer(h.account, 'twin');
    await h.client.createPeer(h.account, 'twin');
    once('commit-then-drop', CREATE_PEER);
    let error: unknown;
    try {
      await h.client.createPeer(h.account, 'twin');
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'E_API' });
    expect((await h.client.listPeers(h.account)).filter((p) => p.name === 'twin')).toHaveLength(3);
  });
});

describe('repeatable requests after ambiguous failures', () => {
  test('GIVEN a delete commits and the answer is dropped WHEN deleted THEN the retry sees 404 and reports done', async () => {
    const peer = await h.client.createPeer(h.account, 'to-delete');
    once('commit-then-drop', 'secondary-dns-(-peer)-delete-peer');
    await h.client.deletePeer(h.account, peer.resource.id);
    expect((await h.client.listPeers(h.account)).map((p) => p.id)).not.toContain(peer.resource.id);
  });

  test('GIVEN a roll commits and the answer is dropped WHEN rolled THEN it rolls again and the value it returns works', async () => {
    const token = await h.client.createToken(h.account, tokenBody('roll-dropped'));
    const okBefore = outcomes('account-api-tokens-roll-token')['200'] ?? 0;
    once('commit-then-drop', 'account-api-tokens-roll-token');
    const value = await h.client.rollToken(h.account, token.resource.id);
    expect(outcomes('account-api-tokens-roll-token')['commit-then-drop']).toBe(1);
    expect((outcomes('account-api-tokens-roll-token')['200'] ?? 0) - okBefore).toBe(1);
    expect((await h.client.verifyToken(h.account, value)).id).toBe(token.resource.id);
  });

  test('GIVEN a GET hangs past the headers timeout WHEN listed THEN it is retried and answers', async () => {
    const quick = await startClientHarness({ timeouts: { headersMs: 400, bodyMs: 400 } });
    try {
      await quick.client.createPeer(quick.account, 'after-hang');
      quick.emulator.faults.set([{ kind: 'hang', operationId: 'secondary-dns-(-peer)-list-peers', times: 1 }]);
      const peers = await quick.client.listPeers(quick.account);
      expect(peers.map((p) => p.name)).toEqual(['after-hang']);
      expect(quick.emulator.counts.toJSON().byOperation['secondary-dns-(-peer)-list-peers']).toEqual({
        hang: 1,
        '200': 1,
      });
      quick.assertContract();
    } finally {
      await quick.close();
    }
  });
});
