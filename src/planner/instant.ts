/**
 * RFC 3339 instants without `Date` (the planner is pure and lint forbids the global): `2030-01-01T00:00:00Z`,
 * `2030-01-01T01:00:00+01:00` and `2030-01-01t00:00:00.000z` are the same instant and must not show as drift.
 */
import { boundedMemo } from './bounded-memo.js';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;
const DAY_MS = 86_400_000;

/**
 * Milliseconds since the epoch, or undefined when the text is not an RFC 3339 date-time. Remembered: a token's dates
 * are read by the loader, the guardrails and the plan, and most trees repeat a few of them.
 */
export const parseInstant: (text: string) => number | undefined = boundedMemo(computeInstant);

function computeInstant(text: string): number | undefined {
  const m = RFC3339.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // 60 is a leap second; it is the same instant as :59.999 for our purposes, so clamp it.
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  let offset = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offset = (m[9] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const time = hour * 3_600_000 + minute * 60_000 + Math.min(second, 59) * 1000 + millis;
  return daysFromCivil(year, month, day) * DAY_MS + time - offset;
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ`, the same form as `Date.prototype.toISOString`. */
export function formatInstant(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  const [y, mo, d] = civilFromDays(days);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const mi = Math.floor(rest / 60_000);
  rest -= mi * 60_000;
  const s = Math.floor(rest / 1000);
  const milli = Math.floor(rest - s * 1000);
  const year = y >= 0 && y <= 9999 ? pad(y, 4) : (y < 0 ? '-' : '+') + pad(Math.abs(y), 6);
  return `${year}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(milli, 3)}Z`;
}

/** Two timestamps denote the same instant (falls back to exact text when either does not parse). */
export function sameInstant(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined || a === b) return a === b;
  const x = parseInstant(a);
  const y = parseInstant(b);
  return x === undefined || y === undefined ? a.trim() === b.trim() : x === y;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

// Howard Hinnant's civil-calendar algorithms (proleptic Gregorian, day 0 = 1970-01-01).
function daysFromCivil(year: number, m: number, d: number): number {
  const y = m <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}
