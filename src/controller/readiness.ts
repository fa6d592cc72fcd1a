/**
 * What /readyz answers. Pure: the loop passes in what it knows and the clock's time.
 *
 * - A standby is ready: it serves health and metrics and takes over when the leader's session ends; taking it out
 *   of the Service would only hide that it is there.
 * - Before the source and Config could be read (`starting`), and before the leader's first cycle finished: not ready.
 * - The leader is ready while its last cycle is recent (finished within 2 × interval + cycle timeout — a loop that
 *   stopped cycling is not doing its job) and cycles have not been failing for longer than the threshold. A cycle
 *   that failed recently is still ready: one failure (a 5xx, the lock held by a CLI run) is retried with backoff and
 *   pulling the pod would change nothing; failing for longer than the threshold is what an operator must see.
 */
import type { Role } from './http-server.js';

export interface ReadinessFacts {
  role: Role;
  /** Where leader election happens, for a standby's reason. */
  leadership: string | undefined;
  /** Error codes that kept the controller from starting (source or Config unreadable). */
  startErrors: string[];
  /** When the last cycle finished; undefined: none has. */
  lastFinishedAt: number | undefined;
  cycleRunning: boolean;
  consecutiveFailures: number;
  /** When the current run of failures began; undefined: the last cycle succeeded. */
  failingSince: number | undefined;
}

export interface ReadinessSettings {
  intervalMs: number;
  cycleTimeoutMs: number;
  failingThresholdMs: number;
}

export interface Readiness {
  ready: boolean;
  role: Role;
  reason: string;
}

export function readiness(facts: ReadinessFacts, settings: ReadinessSettings, now: number): Readiness {
  const { role } = facts;
  if (role === 'standby') {
    return {
      ready: true,
      role,
      reason: `standing by: ${facts.leadership ?? 'the leader election'} has another leader`,
    };
  }
  if (role === 'starting') {
    const errors = facts.startErrors.join(', ');
    return { ready: false, role, reason: errors ? `cannot start: ${errors}` : 'syncing the source' };
  }
  if (facts.lastFinishedAt === undefined) {
    return { ready: false, role, reason: 'the first cycle has not finished yet' };
  }
  const sinceLast = now - facts.lastFinishedAt;
  const staleAfter = 2 * settings.intervalMs + settings.cycleTimeoutMs;
  if (!facts.cycleRunning && sinceLast > staleAfter) {
    return { ready: false, role, reason: `no cycle finished in the last ${Math.round(sinceLast / 1000)} s` };
  }
  if (facts.failingSince !== undefined && now - facts.failingSince > settings.failingThresholdMs) {
    const forS = Math.round((now - facts.failingSince) / 1000);
    return {
      ready: false,
      role,
      reason: `cycles have been failing for ${forS} s (${facts.consecutiveFailures} in a row)`,
    };
  }
  return {
    ready: true,
    role,
    reason: facts.consecutiveFailures > 0 ? `last cycle failed (${facts.consecutiveFailures} in a row)` : 'reconciling',
  };
}
