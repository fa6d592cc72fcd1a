/**
 * Cloudflare's global rate limit (docs/cloudflare-api.md "Rate limits"): a quota of requests per window per credential (1200 per
 * 300 s); going over blocks every call from that credential for the block period with 429 / code 971. The
 * `Ratelimit` and `Ratelimit-Policy` headers go on every response. Time comes from the emulator clock, so tests
 * drive the window and the block without sleeping.
 *
 * The window slides: a request is refused when `quota` requests were already admitted in the `windowSeconds`
 * before it — R in ANY window of W seconds, which is how Cloudflare states the limit. A fixed window (counting from
 * the first request, reset at its end) would admit 2R in a moment across a boundary and so let a client that
 * games the reset pass here and fail at Cloudflare; a client that never exceeds R in any sliding window passes both.
 * `Ratelimit: r` is the quota left now, `t` the seconds until the oldest counted request leaves the window (when
 * `r` next grows).
 */
export interface RateLimitSettings {
  enabled: boolean;
  quota: number;
  windowSeconds: number;
  /** How long going over blocks the credential; Cloudflare's is the window (five minutes). */
  blockSeconds: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitSettings = {
  enabled: true,
  quota: 1200,
  windowSeconds: 300,
  blockSeconds: 300,
};

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

interface Bucket {
  /** Arrival times (ms) of the admitted requests still inside the window, oldest first, from `head` on. */
  hits: number[];
  head: number;
  blockedUntil: number;
}

export class RateLimiter {
  #settings: RateLimitSettings;
  readonly #buckets = new Map<string, Bucket>();

  constructor(settings: RateLimitSettings = DEFAULT_RATE_LIMIT) {
    this.#settings = { ...settings };
  }

  get settings(): RateLimitSettings {
    return { ...this.#settings };
  }

  configure(settings: Partial<RateLimitSettings>): void {
    this.#settings = { ...this.#settings, ...settings };
    this.#buckets.clear();
  }

  reset(): void {
    this.#buckets.clear();
  }

  /** Counts one request for `key` at `now` (ms) and says whether it may proceed. */
  take(key: string, now: number): RateDecision {
    const s = this.#settings;
    if (!s.enabled) return { allowed: true, headers: {} };
    const windowMs = s.windowSeconds * 1000;
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { hits: [], head: 0, blockedUntil: 0 };
      this.#buckets.set(key, bucket);
    }
    const policy = `"burst";q=${s.quota};w=${s.windowSeconds}`;
    const refused = (seconds: number): RateDecision => {
      const wait = Math.max(1, seconds);
      return {
        allowed: false,
        headers: { ratelimit: `"default";r=0;t=${wait}`, 'ratelimit-policy': policy, 'retry-after': String(wait) },
      };
    };
    if (now < bucket.blockedUntil) return refused(Math.ceil((bucket.blockedUntil - now) / 1000));
    while (bucket.head < bucket.hits.length && bucket.hits[bucket.head]! <= now - windowMs) bucket.head++;
    if (bucket.head > 1024 && bucket.head * 2 > bucket.hits.length) {
      bucket.hits = bucket.hits.slice(bucket.head);
      bucket.head = 0;
    }
    if (bucket.hits.length - bucket.head >= s.quota) {
      bucket.blockedUntil = now + s.blockSeconds * 1000;
      // The block outlives what was counted before it: the credential starts afresh when it ends.
      bucket.hits = [];
      bucket.head = 0;
      return refused(s.blockSeconds);
    }
    bucket.hits.push(now);
    const remaining = s.quota - (bucket.hits.length - bucket.head);
    const oldest = bucket.hits[bucket.head]!;
    const reset = Math.max(0, Math.ceil((oldest + windowMs - now) / 1000));
    return {
      allowed: true,
      headers: { ratelimit: `"default";r=${remaining};t=${reset}`, 'ratelimit-policy': policy },
    };
  }
}
