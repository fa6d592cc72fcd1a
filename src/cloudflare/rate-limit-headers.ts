/**
 * What the server says about its rate limit (docs/cloudflare-api.md "Rate limits"):
 * `Ratelimit: "default";r=<remaining>;t=<reset s>`, `Ratelimit-Policy: "burst";q=<quota>;w=<window s>`,
 * `retry-after` (seconds or an HTTP date, on 429), and the older `x-ratelimit-limit/-remaining/-reset`.
 */

export type HeaderMap = Readonly<Record<string, string | string[] | undefined>>;

export interface RateLimitPolicy {
  requests: number;
  windowSeconds: number;
}

export interface RateLimitInfo {
  /** Requests left in the current window (of the limit with the fewest left). */
  remaining?: number;
  /** Seconds until that window resets, or (sliding windows) until more of it is free. */
  resetSeconds?: number;
  /**
   * The policy `remaining` counts against: the one of the same name, else the only one, else the most restrictive.
   * (Cloudflare's documented example names them differently: `"default";r=…` with `"burst";q=…`.)
   */
  policy?: RateLimitPolicy;
  /** Every advertised policy: a client must keep within each. */
  policies?: RateLimitPolicy[];
  retryAfterMs?: number;
}

function header(headers: HeaderMap, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

interface SfItem {
  name: string;
  params: Record<string, number>;
}

/** A structured-field list: `"default";r=50;t=30, "other";r=…` → one name and parameter map per item. */
function sfItems(value: string): SfItem[] {
  return value.split(',').map((item) => {
    const [first = '', ...rest] = item.split(';');
    const params: Record<string, number> = {};
    for (const part of rest) {
      const [k, v] = part.split('=').map((s) => s.trim());
      const n = Number(v);
      if (k && v !== undefined && v !== '' && Number.isFinite(n)) params[k] = n;
    }
    return { name: first.trim().replace(/^"(.*)"$/, '$1'), params };
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
  let remainingName: string | undefined;
  if (rl !== undefined) {
    // Several limits at once: the one with the fewest requests left is the one that bites first.
    for (const { name, params } of sfItems(rl)) {
      const r = params['r'];
      if (r !== undefined && r >= 0 && (info.remaining === undefined || r < info.remaining)) {
        info.remaining = r;
        remainingName = name;
        if (params['t'] !== undefined && params['t'] >= 0) info.resetSeconds = params['t'];
        else delete info.resetSeconds;
      }
    }
  }
  const policyHeader = header(headers, 'ratelimit-policy');
  if (policyHeader !== undefined) {
    const named: { name: string; policy: RateLimitPolicy }[] = [];
    for (const { name, params } of sfItems(policyHeader)) {
      const q = params['q'];
      const w = params['w'];
      if (q === undefined || w === undefined || q <= 0 || w <= 0) continue;
      named.push({ name, policy: { requests: q, windowSeconds: w } });
    }
    if (named.length > 0) {
      info.policies = named.map((n) => n.policy);
      const strictest = named.reduce((a, b) =>
        b.policy.requests / b.policy.windowSeconds < a.policy.requests / a.policy.windowSeconds ? b : a,
      );
      info.policy = (named.find((n) => n.name === remainingName) ?? strictest).policy;
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
