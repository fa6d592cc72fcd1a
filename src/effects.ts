/**
 * The side effects every layer needs, as interfaces. `src/app.ts` builds the real ones; tests pass their own.
 */
import type { Logger } from 'pino';

export type { Logger };

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * The system clock for measuring spans: milliseconds since the epoch at process start, then advanced by the monotonic
 * timer, so it never steps back when the wall clock does (NTP, a VM resumed). The rate-limit pacer runs on it: with
 * `Date.now()` a clock stepped back by a minute would hold every slot a minute longer, and one stepped forward would
 * hand out a whole window's budget again while Cloudflare still counts it.
 */
export const monotonicClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  sleep: (ms, signal) => systemClock.sleep(ms, signal),
};

/** Where human-facing text goes (stdout for results, stderr for progress). Scrubbed of secrets by the app. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** stdout is a terminal. */
  readonly isTTY: boolean;
  /** ANSI colour is wanted: stdout is a terminal and NO_COLOR is not set. */
  readonly color: boolean;
  /** Present when stderr is a terminal: a live line (progress bar) kept below everything else written. */
  readonly live?: LiveHost;
}

/** Something drawn on the terminal's last line that other output must go above. */
export interface LiveRegion {
  /** Draws it again on the current (empty) line, after text was written above it. */
  redraw(): void;
}

export interface LiveHost {
  /** Straight to the terminal, for the live region's own drawing (it is not redrawn around its own writes). */
  readonly stream: { write(s: string): boolean; readonly isTTY: true; readonly columns: number };
  attach(region: LiveRegion): void;
  detach(region: LiveRegion): void;
}
