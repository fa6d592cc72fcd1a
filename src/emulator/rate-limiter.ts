/**
 * Cloudflare's global rate limit (docs/cloudflare-api.md "Rate limits"): a quota of requests per window per credential (1200 per
 * 300 s); going over blocks every call from that credential for the block period with 429 / code 971. The
 * `Ratelimit` and `Ratelimit-Policy` headers go on every response. Time comes from the emulator clock, so tests
 * drive the window and the block without sleeping.
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
  windowStart: number;
  count: number;
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
    if (!bucket || now >= bucket.windowStart + windowMs) {
      bucket = { windowStart: now, count: 0, blockedUntil: bucket?.blockedUntil ?? 0 };
      this.#buckets.set(key, bucket);
    }
    const policy = `"burst";q=${s.quota};w=${s.windowSeconds}`;
    if (now < bucket.blockedUntil) {
      const wait = Math.max(1, Math.ceil((bucket.blockedUntil - now) / 1000));
      return {
        allowed: false,
        headers: { ratelimit: `"default";r=0;t=${wait}`, 'ratelimit-policy': policy, 'retry-after': String(wait) },
      };
    }
    bucket.count++;
    if (bucket.count > s.quota) {
      bucket.blockedUntil = now + s.blockSeconds * 1000;
      // The block outlives the window: start a fresh one when it ends.
      bucket.windowStart = bucket.blockedUntil;
      bucket.count = 0;
      const wait = Math.max(1, s.blockSeconds);
      return {
        allowed: false,
        headers: { ratelimit: `"default";r=0;t=${wait}`, 'ratelimit-policy': policy, 'retry-after': String(wait) },
      };
    }
    const reset = Math.max(0, Math.ceil((bucket.windowStart + windowMs - now) / 1000));
    return {
      allowed: true,
      headers: { ratelimit: `"default";r=${s.quota - bucket.count};t=${reset}`, 'ratelimit-policy': policy },
    };
  }
}
