/**
 * The pacer's clock (src/effects.ts `monotonicClock`) follows the monotonic timer, not the wall clock: a wall clock
 * stepped back or forward (NTP, a resumed VM) changes nothing it measures. And a real run's pacer is given it.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createApp } from '../../src/app.js';
import { monotonicClock, systemClock } from '../../src/effects.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('monotonicClock', () => {
  test('GIVEN the wall clock steps back an hour, then forward a day WHEN the pacer reads the time THEN it only moves forward, by the real span', async () => {
    const start = monotonicClock.now();
    expect(Math.abs(start - Date.now())).toBeLessThan(5_000);
    const wall = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(wall - 3_600_000);
    await new Promise((r) => setTimeout(r, 20));
    const afterBack = monotonicClock.now();
    expect(systemClock.now()).toBe(wall - 3_600_000);
    expect(afterBack - start).toBeGreaterThanOrEqual(15);
    expect(afterBack - start).toBeLessThan(5_000);
    vi.spyOn(Date, 'now').mockReturnValue(wall + 86_400_000);
    const afterForward = monotonicClock.now();
    expect(afterForward).toBeGreaterThanOrEqual(afterBack);
    expect(afterForward - afterBack).toBeLessThan(5_000);
  });

  test('GIVEN an app WHEN built without an injected clock THEN its pacer clock is the monotonic one; an injected clock serves both', () => {
    const io = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;
    const real = createApp({ env: {}, cwd: '/', stdout: io, stderr: io });
    expect(real.pacingClock).toBe(monotonicClock);
    expect(real.clock).toBe(systemClock);
    const injected = { now: () => 0, sleep: () => Promise.resolve() };
    const test = createApp({ env: {}, cwd: '/', stdout: io, stderr: io, clock: injected });
    expect(test.pacingClock).toBe(injected);
  });
});
