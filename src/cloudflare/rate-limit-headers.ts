/**
 * What the server says about its rate limit (docs/cloudflare-api.md "Rate limits"):
 * `Ratelimit: "default";r=<remaining>;t=<reset s>`, `Ratelimit-Policy: "burst";q=<quota>;w=<window s>`,
 * `retry-after` (seconds or an HTTP date, on 429), and the older `x-ratelimit-limit/-remaining/-reset`.
 */

export type HeaderMap = Readonly<Record<string, string | string[] | undefined>>;

export interface RateLimitInfo {
  /** Requests left in the current window. */
  remaining?: number;
  /** Seconds until the window resets. */
  resetSeconds?: number;
  /** The most restrictive advertised policy. */
  policy?: { requests: number; windowSeconds: number };
  retryAfterMs?: number;
}

function header(headers: HeaderMap, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Parameters of a structured-field list: `"default";r=50;t=30, "other";r=…` → one map per item. */
function sfItems(value: string): Record<string, number>[] {
  return value.split(',').map((item) => {
    const params: Record<string, number> = {};
    for (const part of item.split(';').slice(1)) {
      const [k, v] = part.split('=').map((s) => s.trim());
      const n = Number(v);
      if (k && v !== undefined && v !== '' && Number.isFinite(n)) params[k] = n;
    }
    return params;
  });
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** `retry-after` as milliseconds from `now`: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const seconds = num(value);
  if (seconds !== undefined) return Math.ceil(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function parseRateLimitHeaders(headers: HeaderMap, now: number): RateLimitInfo {
  const info: RateLimitInfo = {};
  const rl = header(headers, 'ratelimit');
  if (rl !== undefined) {
    // Several limits at once: the one with the fewest requests left is the one that bites first.
    for (const p of sfItems(rl)) {
      const r = p['r'];
      if (r !== undefined && (info.remaining === undefined || r < info.remaining)) {
        info.remaining = r;
        if (p['t'] !== undefined) info.resetSeconds = p['t'];
      }
    }
  }
  const policy = header(headers, 'ratelimit-policy');
  if (policy !== undefined) {
    for (const p of sfItems(policy)) {
      const q = p['q'];
      const w = p['w'];
      if (q === undefined || w === undefined || q <= 0 || w <= 0) continue;
      if (info.policy === undefined || q / w < info.policy.requests / info.policy.windowSeconds) {
        info.policy = { requests: q, windowSeconds: w };
      }
    }
  }
  if (info.remaining === undefined) {
    const remaining = num(header(headers, 'x-ratelimit-remaining'));
    if (remaining !== undefined) {
      info.remaining = remaining;
      const reset = num(header(headers, 'x-ratelimit-reset'));
      // Some servers send an epoch timestamp here, others a delta; a value past 2001 can only be a timestamp.
      if (reset !== undefined) info.resetSeconds = reset > 1e9 ? Math.max(0, reset - now / 1000) : reset;
    }
  }
  const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), now);
  if (retryAfterMs !== undefined) info.retryAfterMs = retryAfterMs;
  return info;
}
