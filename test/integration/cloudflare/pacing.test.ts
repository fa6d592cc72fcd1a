import { afterEach, describe, expect, test } from 'vitest';
import { createCloudflareClient } from '../../../src/cloudflare/cloudflare-client.js';
import { VirtualClock } from '../../../src/cloudflare/virtual-clock.js';
import { silentLogger } from '../../../src/log.js';
import { Secret } from '../../../src/secret.js';
import { startClientHarness, type ClientHarness, type HarnessOptions } from './client-harness.js';

const LIST_PEERS = 'secondary-dns-(-peer)-list-peers';

let h: ClientHarness | undefined;
afterEach(async () => {
  h?.assertContract();
  await h?.close();
  h = undefined;
});

/** `callers` concurrent loops sharing `total` listPeers calls; resolves when all have answered. */
async function hammer(harness: ClientHarness, callers: number, total: number): Promise<number> {
  let left = total;
  let ok = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (left > 0) {
        left--;
        await harness.client.listPeers(harness.account);
        ok++;
      }
    }),
  );
  return ok;
}

function count(harness: ClientHarness, status: string): number {
  return harness.emulator.counts.toJSON().byOperation[LIST_PEERS]?.[status] ?? 0;
}

describe('pacing against a rate-limited emulator (60 per 10 s)', () => {
  const server: HarnessOptions['emulator'] = { rateLimit: { quota: 60, windowSeconds: 10, blockSeconds: 10 } };

  test.each([
    { what: 'the same limit as the server', pacing: { requests: 60, windowSeconds: 10 } },
    { what: 'a faster limit than the server (headers slow it down)', pacing: { requests: 600, windowSeconds: 60 } },
    { what: 'the default 1200 per 300 s', pacing: { requests: 1200, windowSeconds: 300 } },
  ])(
    'GIVEN a client paced at $what WHEN 20 callers make 200 calls THEN all succeed with zero 429s',
    async ({ pacing }) => {
      h = await startClientHarness({ emulator: server, pacing });
      expect(await hammer(h, 20, 200)).toBe(200);
      expect(count(h, '200')).toBe(200);
      expect(count(h, '429')).toBe(0);
    },
  );

  test('GIVEN the server limit is far below what the client assumed WHEN 20 callers burst THEN the first answer sets the pace: one probe, then zero 429s', async () => {
    h = await startClientHarness({
      emulator: { rateLimit: { quota: 5, windowSeconds: 10, blockSeconds: 10 } },
      pacing: { requests: 1000, windowSeconds: 1 },
    });
    expect(await hammer(h, 20, 20)).toBe(20);
    expect(count(h, '429')).toBe(0);
    expect(h.pacer.limits()).toContainEqual({ requests: 5, windowSeconds: 10, margin: 1 });
    // 4 per window (5 less the margin): 20 calls take five windows, the last starting at 40 s.
    const at = h.responses.map((r) => r.at - h!.responses[0]!.at);
    expect(at.filter((t) => t < 10_000)).toHaveLength(4);
    expect(Math.max(...at)).toBeGreaterThanOrEqual(40_000);
  });

  test('GIVEN a neighbour on the same credential blows the quota mid-run WHEN 10 callers make 40 calls THEN only calls already sent meet 429, everyone waits out retry-after, and all succeed', async () => {
    h = await startClientHarness({ emulator: server, pacing: { requests: 60, windowSeconds: 10 } });
    const harness = h;
    let ok = 0;
    let left = 40;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (left > 0) {
          left--;
          await harness.client.listPeers(harness.account);
          if (++ok !== 5) continue;
          const path = `/accounts/${harness.account}/secondary_dns/peers`;
          await Promise.all(Array.from({ length: 61 }, () => harness.emulator.api('GET', path)));
        }
      }),
    );
    expect(ok).toBe(40);
    const limited = h.pacer.stats().rateLimited;
    expect(limited).toBeGreaterThan(0);
    expect(limited).toBeLessThanOrEqual(10);
    const first429 = h.responses.find((r) => r.status === 429)!.at;
    const blockedAnswers = h.responses.filter((r) => r.at > first429 && r.at < first429 + 10_000);
    expect(blockedAnswers.every((r) => r.status === 429)).toBe(true);
  });
});

describe('one budget per credential', () => {
  test('GIVEN two clients with the same credential and API WHEN built THEN they share one pacer; another credential does not', () => {
    const clock = new VirtualClock();
    const build = (token: string) =>
      createCloudflareClient({
        baseUrl: 'http://127.0.0.1:9/client/v4',
        credentials: { type: 'token', token: new Secret(token) },
        clock,
        random: () => 0.5,
        log: silentLogger(),
        pacing: { requests: 1000, windowSeconds: 300 },
        retry: { retries: 0, minTimeoutMs: 0, maxTimeoutMs: 0, deadlineSeconds: 1 },
        timeouts: { connectMs: 100, headersMs: 100, bodyMs: 100 },
      });
    const a = build('shared-credential-000000000000000000');
    const b = build('shared-credential-000000000000000000');
    const c = build('another-credential-00000000000000000');
    expect(b.pacer).toBe(a.pacer);
    expect(c.pacer).not.toBe(a.pacer);
  });
});
