import { describe, expect, test } from 'vitest';
import { nextDelayMs } from '../../../src/controller/schedule.js';

const S = { intervalMs: 600_000, jitter: 0.1, backoffBaseMs: 10_000, backoffMaxMs: 300_000 };

describe('nextDelayMs', () => {
  test.each([
    [0, 0.5, 600_000],
    [0, 0, 540_000],
    [0, 1, 660_000],
    [1, 0.5, 10_000],
    [2, 0.5, 20_000],
    [5, 0.5, 160_000],
    [6, 0.5, 300_000],
    [60, 0.5, 300_000],
  ])('GIVEN %i failures in a row and random %f THEN the wait is %i ms', (failures, random, expected) => {
    expect(nextDelayMs(S, failures, random)).toBe(expected);
  });

  test('GIVEN a cap above the interval WHEN failing THEN no wait is longer than the interval plus jitter', () => {
    const s = { ...S, intervalMs: 30_000, backoffMaxMs: 3_600_000 };
    expect(nextDelayMs(s, 40, 0.5)).toBe(30_000);
  });
});
