import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Pacer, sharedPacer } from '../../../src/cloudflare/pacer.js';
import { VirtualClock } from '../../../src/cloudflare/virtual-clock.js';

/** Acquires `n` slots from `callers` concurrent loops; returns the virtual time of each grant. */
async function grantTimes(pacer: Pacer, clock: VirtualClock, n: number, callers = 1): Promise<number[]> {
  const times: number[] = [];
  let left = n;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (left > 0) {
        left--;
        await pacer.acquire();
        times.push(clock.now());
        pacer.settle();
      }
    }),
  );
  return times.sort((a, b) => a - b);
}

function maxInWindow(times: readonly number[], windowMs: number): number {
  let max = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while (times[hi]! - times[lo]! >= windowMs) lo++;
    max = Math.max(max, hi - lo + 1);
  }
  return max;
}

describe('Pacer', () => {
  test.each([
    // A tiny limit leaves no room for a burst (one request of the R is the bucket), hence its looser ratio.
    { requests: 60, windowSeconds: 10, n: 200, callers: 20, maxRatio: 1.05 },
    { requests: 120, windowSeconds: 30, n: 500, callers: 4, maxRatio: 1.05 },
    { requests: 1000, windowSeconds: 300, n: 3000, callers: 8, maxRatio: 1.05 },
    { requests: 5, windowSeconds: 1, n: 40, callers: 3, maxRatio: 5 / 4 },
  ])(
    'GIVEN $requests per $windowSeconds s WHEN $n slots are taken by $callers callers THEN no window holds more than the limit and the run is near the floor',
    async ({ requests, windowSeconds, n, callers, maxRatio }) => {
      const clock = new VirtualClock();
      const start = clock.now();
      const pacer = new Pacer({ requests, windowSeconds }, clock);
      const times = await grantTimes(pacer, clock, n, callers);
      expect(times).toHaveLength(n);
      expect(maxInWindow(times, windowSeconds * 1000)).toBeLessThanOrEqual(requests);
      const floorMs = (n / requests) * windowSeconds * 1000;
      expect(clock.now() - start).toBeLessThanOrEqual(floorMs * maxRatio);
    },
  );

  test('GIVEN any limit and burst WHEN slots are taken back to back THEN no sliding window exceeds the limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 20 }),
        fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
        fc.integer({ min: 1, max: 150 }),
        async (requests, windowSeconds, burst, n) => {
          const clock = new VirtualClock();
          const pacer = new Pacer({ requests, windowSeconds, ...(burst === undefined ? {} : { burst }) }, clock);
          const times = await grantTimes(pacer, clock, n);
          expect(maxInWindow(times, windowSeconds * 1000)).toBeLessThanOrEqual(requests);
        },
      ),
      { numRuns: 40 },
    );
  });

  test('GIVEN a 429 answer WHEN callers queue THEN all of them wait out retry-after', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer({ requests: 100, windowSeconds: 10 }, clock);
    await pacer.acquire();
    const limitedAt = clock.now();
    pacer.settle({ retryAfterMs: 7_000 }, true);
    const times = await grantTimes(pacer, clock, 5, 5);
    for (const t of times) expect(t).toBeGreaterThanOrEqual(limitedAt + 7_000);
    expect(pacer.stats().rateLimited).toBe(1);
  });

  test('GIVEN the server says nothing is left WHEN the next caller comes THEN it waits for the reset', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer({ requests: 100, windowSeconds: 10 }, clock);
    await pacer.acquire();
    const at = clock.now();
    pacer.settle({ remaining: 0, resetSeconds: 4 });
    await pacer.acquire();
    pacer.settle();
    expect(clock.now()).toBeGreaterThanOrEqual(at + 4_000);
  });

  test('GIVEN a stricter advertised policy WHEN it is observed THEN the pace drops to it', () => {
    const clock = new VirtualClock();
    const pacer = new Pacer({ requests: 1000, windowSeconds: 300 }, clock);
    pacer.settle({ policy: { requests: 120, windowSeconds: 300 } });
    expect(pacer.ratePerSecond).toBeLessThanOrEqual(120 / 300);
    pacer.settle({ policy: { requests: 5000, windowSeconds: 300 } });
    expect(pacer.ratePerSecond).toBeLessThanOrEqual(120 / 300);
  });

  test('GIVEN a queued caller WHEN its signal aborts THEN it leaves and the others still get their slots', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer({ requests: 2, windowSeconds: 10, burst: 1 }, clock);
    await pacer.acquire();
    pacer.settle();
    const ctl = new AbortController();
    const aborted = pacer.acquire(ctl.signal);
    const next = pacer.acquire();
    ctl.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    await next;
    pacer.settle();
    expect(pacer.stats().granted).toBe(2);
  });

  test('GIVEN two clients with one credential WHEN they ask the registry THEN they share one bucket, tightened to the stricter limit', () => {
    const clock = new VirtualClock();
    const a = sharedPacer('fp@http://127.0.0.1:1', { requests: 1000, windowSeconds: 300 }, clock);
    const b = sharedPacer('fp@http://127.0.0.1:1', { requests: 600, windowSeconds: 300 }, clock);
    const other = sharedPacer('other@http://127.0.0.1:1', { requests: 1000, windowSeconds: 300 }, clock);
    expect(b).toBe(a);
    expect(other).not.toBe(a);
    expect(a.ratePerSecond).toBeLessThanOrEqual(600 / 300);
  });
});
