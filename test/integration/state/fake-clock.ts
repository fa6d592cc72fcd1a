import type { Clock } from '../../../src/effects.js';

/** A clock whose sleep advances time at once and lets a test act at each poll. */
export class FakeClock implements Clock {
  time: number;
  sleeps = 0;
  onSleep: (() => void | Promise<void>) | undefined;

  constructor(start = Date.parse('2025-01-01T00:00:00Z')) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps++;
    this.time += ms;
    await this.onSleep?.();
  }
}

/** Deterministic `random()` for reproducible ids. */
export function seededRandom(seed = 1): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
