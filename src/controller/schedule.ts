/**
 * When the next cycle runs. Pure: the loop passes the clock's time and a random number in.
 *
 * - After a success: the interval, spread by ±jitter so replicas of many controllers do not hit the API in step.
 * - After failures: exponential backoff from `backoffBase`, doubled per consecutive failure, capped at `backoffMax`
 *   (and never later than a success would have waited), with the same jitter. So a failure is retried soon, a
 *   failing setup does not hammer the API, and no failure postpones the next attempt by more than the cap.
 */
export interface ScheduleSettings {
  intervalMs: number;
  /** Fraction of the delay, e.g. 0.1: ±10 %. */
  jitter: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export function nextDelayMs(settings: ScheduleSettings, consecutiveFailures: number, random: number): number {
  const base =
    consecutiveFailures <= 0
      ? settings.intervalMs
      : Math.min(
          settings.backoffMaxMs,
          settings.intervalMs,
          settings.backoffBaseMs * 2 ** Math.min(consecutiveFailures - 1, 30),
        );
  const spread = base * settings.jitter * (2 * random - 1);
  return Math.max(0, Math.round(base + spread));
}
