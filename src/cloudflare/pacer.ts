/**
 * Client-side pacing: one token bucket per credential, so a run never trips Cloudflare's limit (1200 requests per
 * 300 s per user; going over blocks every call for minutes — docs/cloudflare-api.md "Rate limits").
 *
 * The bucket holds a small burst `C` and refills at `(R − C) / W`, so no window of length W ever sees more than R
 * requests (C at once, then the refill), whether the server counts in fixed or sliding windows. Waiters are served
 * in arrival order, one at a time, so concurrent callers do not stampede. Server headers can only tighten the pace;
 * a 429 pauses every caller for `retry-after`. All waiting goes through the injected Clock.
 */
import type { Clock } from '../effects.js';
import type { RateLimitInfo } from './rate-limit-headers.js';

export interface PacingOptions {
  /** At most this many requests per window (config `api.rateLimit`). */
  requests: number;
  windowSeconds: number;
  /**
   * Requests that may go at once; default 2% of `requests`, between 1 and 10. Every request of burst is taken from
   * the long-run rate ((R − C) / W), so a small burst keeps long runs within a few percent of the limit's floor.
   */
  burst?: number;
}

export interface PacerStats {
  granted: number;
  /** 429 answers seen; each pauses every caller until its retry-after. */
  rateLimited: number;
  /** Times a caller had to wait for the bucket or a pause. */
  waits: number;
}

const DEFAULT_PAUSE_MS = 60_000;

export class Pacer {
  readonly #clock: Clock;
  #requests = 0;
  #windowMs = 0;
  #capacity = 1;
  #ratePerMs = 0;
  #tokens: number;
  #updatedAt: number;
  #pausedUntil = 0;
  #inFlight = 0;
  #queue: Promise<void> = Promise.resolve();
  readonly #stats: PacerStats = { granted: 0, rateLimited: 0, waits: 0 };

  constructor(options: PacingOptions, clock: Clock) {
    this.#clock = clock;
    this.#configure(options);
    this.#tokens = this.#capacity;
    this.#updatedAt = clock.now();
  }

  #configure(options: PacingOptions): void {
    if (!(options.requests >= 1) || !(options.windowSeconds > 0)) {
      throw new RangeError('pacing needs requests >= 1 and windowSeconds > 0');
    }
    this.#requests = Math.floor(options.requests);
    this.#windowMs = options.windowSeconds * 1000;
    const burst = options.burst ?? Math.min(10, Math.floor(this.#requests * 0.02));
    this.#capacity = Math.max(1, Math.min(Math.floor(burst), this.#requests - 1));
    // With a single request per window there is no room for a burst: the bucket is then just a spacer.
    const refill = this.#requests > 1 ? this.#requests - this.#capacity : 1;
    this.#ratePerMs = refill / this.#windowMs;
    this.#tokens = Math.min(this.#tokens, this.#capacity);
  }

  get ratePerSecond(): number {
    return this.#ratePerMs * 1000;
  }

  stats(): PacerStats {
    return { ...this.#stats };
  }

  /** Adopts a stricter limit (another client sharing the credential, or the server's advertised policy). */
  tighten(options: PacingOptions): void {
    if (options.requests / options.windowSeconds < this.#requests / (this.#windowMs / 1000)) {
      this.#refill(this.#clock.now());
      this.#configure(options);
    }
  }

  /** Waits for a slot; every call must be followed by exactly one `settle`. */
  acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const turn = this.#queue.then(() => this.#take(signal));
    this.#queue = turn.catch(() => undefined);
    const granted = turn.then(() => {
      this.#inFlight++;
      this.#stats.granted++;
    });
    if (!signal) return granted;
    // A caller that gives up while queued leaves at once; #take skips it when its turn comes.
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      granted.then(
        () => {
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) this.settle();
          resolve();
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }

  /** Called when a request's answer (or failure) is in; `info` from its headers tightens the pace if needed. */
  settle(info?: RateLimitInfo, rateLimited = false): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    if (!info) return;
    const now = this.#clock.now();
    this.#refill(now);
    if (info.policy) this.tighten(info.policy);
    if (rateLimited) {
      this.#stats.rateLimited++;
      this.pause(info.retryAfterMs ?? Math.min(DEFAULT_PAUSE_MS, this.#windowMs));
      return;
    }
    if (info.remaining !== undefined) {
      // Requests still in flight will be counted against what the server says is left.
      const left = info.remaining - this.#inFlight;
      if (left < this.#tokens) this.#tokens = Math.max(0, left);
      if (left <= 0 && info.resetSeconds !== undefined) {
        this.#pausedUntil = Math.max(this.#pausedUntil, now + Math.ceil(info.resetSeconds * 1000));
      }
    }
  }

  /** Stops every caller until `ms` from now (a 429 blocks the credential, not just the one request). */
  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + Math.max(0, ms));
    this.#tokens = 0;
  }

  #refill(now: number): void {
    const elapsed = Math.max(0, now - this.#updatedAt);
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#ratePerMs);
    this.#updatedAt = now;
  }

  async #take(signal: AbortSignal | undefined): Promise<void> {
    let waited = false;
    for (;;) {
      signal?.throwIfAborted();
      const now = this.#clock.now();
      this.#refill(now);
      let wait: number;
      if (now < this.#pausedUntil) {
        wait = this.#pausedUntil - now;
      } else if (this.#tokens >= 1) {
        this.#tokens -= 1;
        if (waited) this.#stats.waits++;
        return;
      } else {
        wait = Math.ceil((1 - this.#tokens) / this.#ratePerMs);
      }
      waited = true;
      await this.#clock.sleep(wait, signal);
    }
  }
}

/**
 * Process-wide buckets keyed by credential fingerprint and API origin: two clients with the same credential must
 * share one budget (Cloudflare counts per user/token), while the same token against two emulators should not.
 */
const registry = new Map<string, Pacer>();

export function sharedPacer(key: string, options: PacingOptions, clock: Clock): Pacer {
  const existing = registry.get(key);
  if (existing) {
    existing.tighten(options);
    return existing;
  }
  const pacer = new Pacer(options, clock);
  registry.set(key, pacer);
  return pacer;
}
