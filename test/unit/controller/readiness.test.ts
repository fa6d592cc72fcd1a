import { describe, expect, test } from 'vitest';
import { readiness, type ReadinessFacts } from '../../../src/controller/readiness.js';

const S = { intervalMs: 60_000, cycleTimeoutMs: 30_000, failingThresholdMs: 120_000 };
const NOW = 1_000_000_000;
const leader: ReadinessFacts = {
  role: 'leader',
  leadership: 'PostgreSQL advisory lock',
  startErrors: [],
  lastFinishedAt: NOW - 1_000,
  cycleRunning: false,
  consecutiveFailures: 0,
  failingSince: undefined,
};

describe('readiness', () => {
  test('GIVEN a standby THEN it is ready and says it stands by, whatever it knows of cycles', () => {
    expect(readiness({ ...leader, role: 'standby', lastFinishedAt: undefined }, S, NOW)).toEqual({
      ready: true,
      role: 'standby',
      reason: 'standing by: PostgreSQL advisory lock has another leader',
    });
  });

  test('GIVEN a controller that cannot read its source THEN it is not ready and names the error codes', () => {
    const r = readiness({ ...leader, role: 'starting', startErrors: ['E_GIT', 'E_MANIFEST_YAML'] }, S, NOW);
    expect(r).toEqual({ ready: false, role: 'starting', reason: 'cannot start: E_GIT, E_MANIFEST_YAML' });
    expect(readiness({ ...leader, role: 'starting' }, S, NOW).reason).toBe('syncing the source');
  });

  test('GIVEN a leader whose first cycle has not finished THEN it is not ready', () => {
    const r = readiness({ ...leader, lastFinishedAt: undefined, cycleRunning: true }, S, NOW);
    expect(r).toEqual({ ready: false, role: 'leader', reason: 'the first cycle has not finished yet' });
  });

  test('GIVEN a leader WHEN its last cycle is older than 2 x interval + cycle timeout THEN it is not ready, unless a cycle is running', () => {
    const edge = NOW - (2 * S.intervalMs + S.cycleTimeoutMs);
    expect(readiness({ ...leader, lastFinishedAt: edge }, S, NOW).ready).toBe(true);
    expect(readiness({ ...leader, lastFinishedAt: edge - 1_000 }, S, NOW)).toEqual({
      ready: false,
      role: 'leader',
      reason: 'no cycle finished in the last 151 s',
    });
    expect(readiness({ ...leader, lastFinishedAt: edge - 1_000, cycleRunning: true }, S, NOW).ready).toBe(true);
  });

  test('GIVEN failing cycles WHEN they have failed for up to the threshold THEN ready (and says so); longer THEN not ready', () => {
    const failing = { ...leader, consecutiveFailures: 3 };
    expect(readiness({ ...failing, failingSince: NOW - S.failingThresholdMs }, S, NOW)).toEqual({
      ready: true,
      role: 'leader',
      reason: 'last cycle failed (3 in a row)',
    });
    expect(readiness({ ...failing, failingSince: NOW - S.failingThresholdMs - 1 }, S, NOW)).toEqual({
      ready: false,
      role: 'leader',
      reason: 'cycles have been failing for 120 s (3 in a row)',
    });
  });

  test('GIVEN a leader whose recent cycles succeeded THEN it is ready and reconciling', () => {
    expect(readiness(leader, S, NOW)).toEqual({ ready: true, role: 'leader', reason: 'reconciling' });
  });
});
