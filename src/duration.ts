/**
 * Durations as people write them in manifests and flags — `30d`, `24h`, `90m`, `45s` — and back. One parser and one
 * printer, so a policy reads the same in the manifest, the plan's reason and the docs.
 */

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** What the manifest schemas accept: a positive whole number and one unit. */
export const DURATION_PATTERN = '^[1-9][0-9]*(s|m|h|d)$';

/** `30d` → milliseconds; undefined when the text is not a duration (the schema has refused it already). */
export function parseDurationText(text: string): number | undefined {
  const m = /^([1-9][0-9]*)(s|m|h|d)$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2] as Unit];
}

/** Milliseconds → the largest unit that divides it (`2592000000` → `30d`, `5400000` → `90m`). */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${Math.round(ms)}ms`;
}

/** An age in whole units a person reads at a glance: `31 days`, `5 hours`, `12 minutes`. */
export function formatAge(ms: number): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const days = Math.floor(ms / UNIT_MS.d);
  if (days >= 1) return plural(days, 'day');
  const hours = Math.floor(ms / UNIT_MS.h);
  if (hours >= 1) return plural(hours, 'hour');
  const minutes = Math.floor(ms / UNIT_MS.m);
  if (minutes >= 1) return plural(minutes, 'minute');
  return plural(Math.max(0, Math.floor(ms / UNIT_MS.s)), 'second');
}
