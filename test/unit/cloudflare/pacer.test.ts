import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { defaultMargin, Pacer, sharedPacer } from '../../../src/cloudflare/pacer.js';
import { parseRateLimitHeaders } from '../../../src/cloudflare/rate-limit-headers.js';
import { VirtualClock } from '../../../src/cloudflare/virtual-clock.js';
import { RateLimiter } from '../../../src/emulator/rate-limiter.js';

interface Exchange {
  sent: number;
  answered: number;
}

interface Run {
  exchanges: Exchange[];
  refused: number;
  elapsed: number;
}

interface RunOptions {
  n: number;
  callers: number;
  latencyMs: number;
  /** The emulator's sliding-window limiter, counting each request when it is sent; absent: no headers at all. */
  server?: RateLimiter;
  /** Before the run, and at these virtual offsets during it, a neighbour on the same credential spends requests. */
  neighbour?: { atMs: number; requests: number }[];
}

/** `callers` loops making `n` requests through the pacer on a virtual clock; each answer takes `latencyMs`. */
async function run(pacer: Pacer, clock: VirtualClock, o: RunOptions): Promise<Run> {
  const start = clock.now();
  const exchanges: Exchange[] = [];
  let refused = 0;
  let left = o.n;
  let done = false;
  const neighbour = (async () => {
    for (const spend of o.neighbour ?? []) {
      const wait = start + spend.atMs - clock.now();
      if (wait > 0) await clock.sleep(wait);
      if (done) return;
      for (let i = 0; i < spend.requests; i++) o.server?.take('credential', clock.now());
    }
  })();
  await Promise.all(
    Array.from({ length: o.callers }, async () => {
      while (left > 0) {
        left--;
        await pacer.acquire();
        const sent = clock.now();
        const decision = o.server?.take('credential', sent);
        if (o.latencyMs > 0) await clock.sleep(o.latencyMs);
        const answered = clock.now();
        exchanges.push({ sent, answered });
        if (decision && !decision.allowed) {
          refused++;
          left++;
        }
        pacer.settle(parseRateLimitHeaders(decision?.headers ?? {}, answered), decision ? !decision.allowed : false);
      }
    }),
  );
  const elapsed = clock.now() - start;
  done = true;
  await neighbour;
  return { exchanges, refused, elapsed };
}

/**
 * The most requests a server could have counted in one window of `windowMs`, wherever between its sending and its
 * answer it counts each: for every request, itself plus those sent no later whose answer came within the window.
 */
function worstWindow(exchanges: readonly Exchange[], windowMs: number): number {
  let worst = 0;
  for (const e of exchanges) {
    const together = exchanges.filter((o) => o.sent <= e.sent && o.answered > e.sent - windowMs).length;
    worst = Math.max(worst, together);
  }
  return worst;
}

/** The fastest schedule keeping ≤ budget in any window, requests taking no time: full batches W apart. */
function floorMs(n: number, budget: number, windowSeconds: number): number {
  return (Math.ceil(n / budget) - 1) * windowSeconds * 1000;
}

describe('Pacer', () => {
  test.each([
    { requests: 60, windowSeconds: 10, n: 200, callers: 20, latencyMs: 0 },
    { requests: 120, windowSeconds: 30, n: 502, callers: 8, latencyMs: 0 },
    { requests: 120, windowSeconds: 30, n: 351, callers: 10, latencyMs: 100 },
    { requests: 1200, windowSeconds: 300, n: 3000, callers: 10, latencyMs: 100 },
    { requests: 5, windowSeconds: 1, n: 40, callers: 3, latencyMs: 50 },
  ])(
    'GIVEN $requests per $windowSeconds s and ${latencyMs} ms answers WHEN $callers callers make $n requests THEN no window holds more than R − margin and the run takes the floor plus one answer per window',
    async ({ requests, windowSeconds, n, callers, latencyMs }) => {
      const clock = new VirtualClock();
      const pacer = new Pacer({ requests, windowSeconds }, clock);
      const server = new RateLimiter({ enabled: true, quota: requests, windowSeconds, blockSeconds: windowSeconds });
      const r = await run(pacer, clock, { n, callers, latencyMs, server });
      expect(r.refused).toBe(0);
      const budget = requests - defaultMargin(requests);
      expect(worstWindow(r.exchanges, windowSeconds * 1000)).toBeLessThanOrEqual(budget);
      const floor = floorMs(n, budget, windowSeconds);
      const windows = Math.ceil(n / budget);
      expect(r.elapsed).toBeGreaterThanOrEqual(floor);
      // Per window: the probe's round trip, then the batch at full concurrency, then one more answer of slack.
      const batch = Math.ceil(Math.min(n, budget) / callers) + 2;
      expect(r.elapsed).toBeLessThanOrEqual(floor + windows * batch * latencyMs);
    },
  );

  test('GIVEN a run that fits in the quota WHEN 10 callers make 300 requests at 100 ms THEN it runs at full concurrency after one probe', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer({ requests: 1200, windowSeconds: 300 }, clock);
    const server = new RateLimiter({ enabled: true, quota: 1200, windowSeconds: 300, blockSeconds: 300 });
    const r = await run(pacer, clock, { n: 300, callers: 10, latencyMs: 100, server });
    expect(r.refused).toBe(0);
    // 1 probe round trip + ceil(299 / 10) rounds.
    expect(r.elapsed).toBe((1 + 30) * 100);
  });

  test('GIVEN any limit, margin, latency and concurrency WHEN requests go through the pacer THEN the sliding-window server refuses none and no window exceeds R − margin', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 20 }),
        fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 3000 }),
        async (requests, windowSeconds, margin, n, callers, latencyMs) => {
          const clock = new VirtualClock();
          const pacer = new Pacer({ requests, windowSeconds, ...(margin === undefined ? {} : { margin }) }, clock);
          const server = new RateLimiter({ enabled: true, quota: requests, windowSeconds, blockSeconds: 1 });
          const r = await run(pacer, clock, { n, callers, latencyMs, server });
          expect(r.refused).toBe(0);
          const [limit] = pacer.limits();
          expect(worstWindow(r.exchanges, windowSeconds * 1000)).toBeLessThanOrEqual(limit!.requests - limit!.margin);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('GIVEN a neighbour spent 40 % of the quota before the run and spends within the margin during it WHEN a run 2.5 × the quota goes THEN the server refuses nothing', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer({ requests: 120, windowSeconds: 30 }, clock);
    const server = new RateLimiter({ enabled: true, quota: 120, windowSeconds: 30, blockSeconds: 30 });
    for (let i = 0; i < 48; i++) server.take('credential', clock.now());
    // A dashboard user now and then: up to the margin (2) per window, at the worst times (our window is full).
    const neighbour = [5_000, 6_000, 40_000, 70_000, 71_000].map((atMs) => ({ atMs, requests: 1 }));
    const r = await run(pacer, clock, { n: 300, callers: 10, latencyMs: 100, server, neighbour });
    expect(r.refused).toBe(0);
  });

  test('GIVEN a 429 answer WHEN callers queue THEN all of them wait out retry-after, and one goes alone first', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer({ requests: 100, windowSeconds: 10 }, clock);
    await pacer.acquire();
    const limitedAt = clock.now();
    pacer.settle({ retryAfterMs: 7_000, remaining: 0, resetSeconds: 7 }, true);
    const r = await run(pacer, clock, { n: 5, callers: 5, latencyMs: 100 });
    const sent = r.exchanges.map((e) => e.sent).sort((a, b) => a - b);
    expect(sent[0]).toBe(limitedAt + 7_000);
    expect(sent[1]).toBe(limitedAt + 7_100);
    expect(pacer.stats().rateLimited).toBe(1);
  });

  test('GIVEN the server says nothing is left WHEN the next caller comes THEN it waits for the reset', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer({ requests: 100, windowSeconds: 10 }, clock);
    await pacer.acquire();
    const at = clock.now();
    pacer.settle({ remaining: 0, resetSeconds: 4 });
    await pacer.acquire();
    pacer.settle({});
    expect(clock.now()).toBe(at + 4_000);
  });

  test('GIVEN the server says others spent most of the quota WHEN requests go THEN only what is left minus the margin goes before the reset', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer({ requests: 100, windowSeconds: 10 }, clock);
    await pacer.acquire();
    const start = clock.now();
    pacer.settle({ remaining: 30, resetSeconds: 10, policy: { requests: 100, windowSeconds: 10 } });
    const r = await run(pacer, clock, { n: 40, callers: 10, latencyMs: 0 });
    const early = r.exchanges.filter((e) => e.sent < start + 10_000).length;
    // 100 − 69 spent by others − 1 ours − margin 2 = 28 more in this window.
    expect(early).toBe(28);
  });

  test('GIVEN a stricter advertised policy WHEN it is observed THEN it is kept beside the configured one', () => {
    const clock = new VirtualClock();
    const pacer = new Pacer({ requests: 1000, windowSeconds: 300 }, clock);
    pacer.settle({
      policies: [
        { requests: 120, windowSeconds: 300 },
        { requests: 10, windowSeconds: 1 },
      ],
    });
    pacer.settle({ policies: [{ requests: 5000, windowSeconds: 300 }] });
    expect(pacer.limits()).toEqual([
      { requests: 10, windowSeconds: 1, margin: 1 },
      { requests: 120, windowSeconds: 300, margin: 2 },
    ]);
  });

  test('GIVEN a queued caller WHEN its signal aborts THEN it leaves and the others still get their slots', async () => {
    const clock = new VirtualClock();
    const pacer = new Pacer({ requests: 2, windowSeconds: 10, margin: 1 }, clock);
    await pacer.acquire();
    pacer.settle({});
    const ctl = new AbortController();
    const aborted = pacer.acquire(ctl.signal);
    const next = pacer.acquire();
    ctl.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    await next;
    pacer.settle({});
    expect(pacer.stats().granted).toBe(2);
  });

  test('GIVEN two clients with one credential WHEN they ask the registry THEN they share one pacer, tightened to the stricter limit', () => {
    const clock = new VirtualClock();
    const a = sharedPacer('fp@http://127.0.0.1:1', { requests: 1000, windowSeconds: 300 }, clock);
    const b = sharedPacer('fp@http://127.0.0.1:1', { requests: 600, windowSeconds: 300 }, clock);
    const other = sharedPacer('other@http://127.0.0.1:1', { requests: 1000, windowSeconds: 300 }, clock);
    expect(b).toBe(a);
    expect(other).not.toBe(a);
    expect(a.limits()).toEqual([{ requests: 600, windowSeconds: 300, margin: 12 }]);
  });

  test('GIVEN a fresh or part-spent window WHEN asked how long N more calls take THEN scheduleMs matches the schedule the pacer keeps', async () => {
    for (const [spent, calls] of [
      [0, 1],
      [0, 10],
      [0, 11],
      [0, 25],
      [4, 6],
      [4, 7],
      [4, 31],
    ] as const) {
      const clock = new VirtualClock();
      const pacer = new Pacer({ requests: 10, windowSeconds: 10, margin: 0 }, clock);
      for (let i = 0; i < spent; i++) {
        await pacer.acquire();
        pacer.settle({});
      }
      const predicted = pacer.scheduleMs(calls);
      // Answered at once (the estimate's premise): the last of `calls` starts when the schedule says.
      const start = clock.now();
      let lastStart = start;
      for (let i = 0; i < calls; i++) {
        await pacer.acquire();
        lastStart = clock.now();
        pacer.settle({});
      }
      expect(predicted, `${spent} spent, ${calls} calls`).toBe(lastStart - start);
    }
  });
});
