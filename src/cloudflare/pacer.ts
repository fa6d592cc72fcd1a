/**
 * Client-side pacing under Cloudflare's limit: R requests in any window of W seconds per credential (1200 / 300 s),
 * cumulative across the dashboard and every API client; going over blocks every call for minutes
 * (docs/cloudflare-api.md "Rate limits").
 *
 * A sliding-window log, not a fixed rate: a request may start while fewer than R − margin of this credential's
 * requests are in flight or were answered less than W ago. That is the fastest schedule that never puts more than
 * R − margin requests in any window: a run that fits in the quota runs at full concurrency; a larger one spends the
 * window at once and then goes at the window's pace (each slot comes back W after the request that held it).
 * A slot is held until W after the request's ANSWER: the server counts a request somewhere between its sending and
 * its answer, so requests W apart by this reckoning are at least W apart at the server, whatever the latency.
 *
 * The server's headers correct the schedule. `Ratelimit-Policy` adds its limits. `Ratelimit: r` says how much of the
 * quota others (the dashboard, other pipelines) have spent — `q − r` less this client's own requests in that
 * window — and that spend is held against the window until the header's `t`, or until a fresher answer says
 * otherwise. The margin is for what no header can say in advance: a neighbour spending while our requests fly.
 * One request goes alone (a probe) until an answer arrives: at the start of a run (the quota may be spent already),
 * after a 429 (which pauses every caller for `retry-after`), when the estimate of others' spend lapses, and after a
 * quiet second (a neighbour may have spent meanwhile).
 * All waiting goes through the injected Clock, so tests run minutes of pacing on a virtual clock.
 */
import type { Clock } from '../effects.js';
import type { RateLimitInfo, RateLimitPolicy } from './rate-limit-headers.js';

export interface PacingOptions {
  /** At most this many requests in any window (config `api.rateLimit`). */
  requests: number;
  windowSeconds: number;
  /** Requests of every window left unspent for others; default 2 % of `requests` (at least 1 when there are 2+). */
  margin?: number;
}

/** A client's pacing as progress displays see it: the configured limit and, when known, the live schedule. */
export interface PacedRate {
  requests: number;
  windowSeconds: number;
  /** `Pacer.scheduleMs` of the client's pacer. */
  scheduleMs?: (calls: number) => number;
}

export interface PacerLimit {
  requests: number;
  windowSeconds: number;
  margin: number;
}

export interface PacerStats {
  granted: number;
  /** 429 answers seen; each pauses every caller until its retry-after. */
  rateLimited: number;
  /** Times a caller had to wait (for the window, a pause, or a probe's answer). */
  waits: number;
}

interface Limit {
  requests: number;
  windowMs: number;
  margin: number;
  /** requests − margin: what this client lets itself have in any window. */
  budget: number;
}

/** What others spent of one window's quota, as of the last answer; counted against that window until `until`. */
interface OthersSpend {
  windowMs: number;
  count: number;
  until: number;
}

const DEFAULT_PAUSE_MS = 60_000;
/**
 * What the last header said is trusted this long. After a quiet spell (waiting for the window) others may have
 * spent any amount: one request goes first and its answer says how much is left.
 */
const STALE_AFTER_MS = 1_000;

export function defaultMargin(requests: number): number {
  return requests <= 1 ? 0 : Math.max(1, Math.floor(requests * 0.02));
}

function toLimit(options: PacingOptions): Limit {
  if (!(options.requests >= 1) || !(options.windowSeconds > 0)) {
    throw new RangeError('pacing needs requests >= 1 and windowSeconds > 0');
  }
  const requests = Math.floor(options.requests);
  const margin = Math.max(0, Math.min(requests - 1, Math.floor(options.margin ?? defaultMargin(requests))));
  return { requests, windowMs: options.windowSeconds * 1000, margin, budget: requests - margin };
}

interface Wake {
  promise: Promise<void>;
  resolve: () => void;
}

function newWake(): Wake {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export class Pacer {
  readonly #clock: Clock;
  /** One per window length, the strictest seen for it (config, then whatever the server advertises). */
  readonly #limits: Limit[] = [];
  /** When each answered request's answer came, oldest first from #head on; kept as long as the longest window. */
  #ended: number[] = [];
  #head = 0;
  #inFlight = 0;
  #others: OthersSpend | undefined;
  #probing = true;
  /** When the last answer with a `Ratelimit` header came; undefined while the server has sent none. */
  #heardAt: number | undefined;
  #pausedUntil = 0;
  #queue: Promise<void> = Promise.resolve();
  #wake = newWake();
  readonly #stats: PacerStats = { granted: 0, rateLimited: 0, waits: 0 };

  constructor(options: PacingOptions, clock: Clock) {
    this.#clock = clock;
    this.#addLimit(toLimit(options));
  }

  /** The limits being kept, strictest per window length. */
  limits(): PacerLimit[] {
    return this.#limits.map((l) => ({ requests: l.requests, windowSeconds: l.windowMs / 1000, margin: l.margin }));
  }

  stats(): PacerStats {
    return { ...this.#stats };
  }

  /** Adopts another limit too (a second client on this credential, or the server's advertised policy). */
  tighten(options: PacingOptions): void {
    this.#addLimit(toLimit(options));
    this.#notify();
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

  /**
   * Called when a request's answer (or failure) is in. `info` is what its headers said; without it (no answer came)
   * the request still holds its slot for a window, since the server may have counted it.
   */
  settle(info?: RateLimitInfo, rateLimited = false): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    const now = this.#clock.now();
    this.#recordAnswer(now);
    if (info) {
      for (const policy of info.policies ?? (info.policy ? [info.policy] : [])) this.#addLimit(toLimit(policy));
      if (rateLimited) {
        this.#stats.rateLimited++;
        this.pause(info.retryAfterMs ?? Math.min(DEFAULT_PAUSE_MS, this.#longestWindowMs()));
      } else {
        this.#probing = false;
        if (info.remaining !== undefined) this.#observeRemaining(info, now);
      }
    }
    this.#notify();
  }

  /**
   * How long from now until `calls` more requests could all have started under this schedule, were each answered at
   * once: the window's free budget goes at once, each slot taken comes back W after the answer that holds it, and
   * every further budget's worth one window later. An estimate for progress displays (answers take time; others may
   * spend): a run that fits in what is left is 0, a larger one follows the window, not a fixed rate.
   */
  scheduleMs(calls: number): number {
    const now = this.#clock.now();
    let wait = Math.max(0, this.#pausedUntil - now);
    for (const limit of this.#limits) {
      const first = this.#firstAfter(now - limit.windowMs);
      const answered = this.#ended.length - first;
      const others = this.#others?.windowMs === limit.windowMs && now < this.#others.until ? this.#others.count : 0;
      const free = Math.max(0, limit.budget - this.#inFlight - answered - others);
      const waiting = calls - free;
      if (waiting <= 0) continue;
      let at: number;
      if (waiting <= answered) {
        at = this.#ended[first + waiting - 1]! + limit.windowMs;
      } else {
        const lastBack = answered > 0 ? this.#ended[this.#ended.length - 1]! + limit.windowMs : now;
        const windows = Math.ceil((waiting - answered) / limit.budget);
        at = Math.max(lastBack, now + limit.windowMs) + (windows - 1) * limit.windowMs;
      }
      wait = Math.max(wait, at - now);
    }
    return wait;
  }

  /** Stops every caller until `ms` from now (a 429 blocks the credential, not just the one request). */
  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + Math.max(0, ms));
    this.#probing = true;
    this.#notify();
  }

  #addLimit(limit: Limit): void {
    const same = this.#limits.find((l) => l.windowMs === limit.windowMs);
    if (!same) {
      this.#limits.push(limit);
      this.#limits.sort((a, b) => a.windowMs - b.windowMs);
    } else if (limit.budget < same.budget) {
      Object.assign(same, limit);
    }
  }

  #longestWindowMs(): number {
    return this.#limits[this.#limits.length - 1]!.windowMs;
  }

  #recordAnswer(now: number): void {
    const last = this.#ended[this.#ended.length - 1];
    // Answers are recorded in time order even if the wall clock steps back.
    this.#ended.push(last === undefined ? now : Math.max(now, last));
    const horizon = now - this.#longestWindowMs();
    while (this.#head < this.#ended.length && this.#ended[this.#head]! <= horizon) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#ended.length) {
      this.#ended = this.#ended.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Index of the first recorded answer later than `since`. */
  #firstAfter(since: number): number {
    let lo = this.#head;
    let hi = this.#ended.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#ended[mid]! <= since) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #observeRemaining(info: RateLimitInfo, now: number): void {
    const longest = this.#limits[this.#limits.length - 1]!;
    const policy: RateLimitPolicy = info.policy ?? {
      requests: longest.requests,
      windowSeconds: longest.windowMs / 1000,
    };
    const windowMs = policy.windowSeconds * 1000;
    // Ours: answered within the window (this one included). Requests still in flight may be in `r` already; they
    // are counted again below as ours, which errs on the safe side.
    const ours = this.#ended.length - this.#firstAfter(now - windowMs);
    const count = Math.max(0, policy.requests - (info.remaining ?? 0) - ours);
    this.#heardAt = now;
    this.#others =
      count > 0 ? { windowMs, count, until: now + (info.resetSeconds ?? policy.windowSeconds) * 1000 } : undefined;
  }

  /** 0 when a request may start now; else how long to wait (Infinity: until an answer comes). */
  #waitMs(now: number): number {
    if (now < this.#pausedUntil) return this.#pausedUntil - now;
    if (this.#others && now >= this.#others.until) {
      // What others spent may be over, or not (a sliding window frees it bit by bit): ask with one request.
      this.#others = undefined;
      this.#probing = true;
    }
    if (this.#heardAt !== undefined && now - this.#heardAt > STALE_AFTER_MS) this.#probing = true;
    if (this.#probing && this.#inFlight > 0) return Infinity;
    let wait = 0;
    for (const limit of this.#limits) {
      const first = this.#firstAfter(now - limit.windowMs);
      const answered = this.#ended.length - first;
      const others = this.#others?.windowMs === limit.windowMs ? this.#others.count : 0;
      const excess = this.#inFlight + answered + others + 1 - limit.budget;
      if (excess <= 0) continue;
      // The `excess` oldest answers must leave the window first (or others' spend lapse).
      let at = excess <= answered ? this.#ended[first + excess - 1]! + limit.windowMs : Infinity;
      if (others > 0) at = Math.min(at, this.#others!.until);
      wait = Math.max(wait, at - now);
    }
    return wait;
  }

  async #take(signal: AbortSignal | undefined): Promise<void> {
    let waited = false;
    for (;;) {
      signal?.throwIfAborted();
      const wait = this.#waitMs(this.#clock.now());
      if (wait <= 0) {
        if (waited) this.#stats.waits++;
        return;
      }
      waited = true;
      await this.#sleep(wait, signal);
    }
  }

  /** Sleeps `ms` (Infinity: indefinitely), or until an answer, a pause or a new limit changes the picture. */
  async #sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    const stop = new AbortController();
    const onAbort = (): void => {
      stop.abort();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = Number.isFinite(ms)
      ? this.#clock.sleep(Math.ceil(ms), stop.signal).catch(() => undefined)
      : new Promise<void>((resolve) => {
          stop.signal.addEventListener(
            'abort',
            () => {
              resolve();
            },
            { once: true },
          );
        });
    try {
      await Promise.race([timer, this.#wake.promise]);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      stop.abort();
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = newWake();
    wake.resolve();
  }
}

/**
 * Process-wide pacers keyed by credential fingerprint and API origin: two clients with the same credential must
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
