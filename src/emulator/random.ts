/**
 * Randomness for the emulator: ids, token values, fault dice. Seeded (`--seed`) so that tests are deterministic;
 * without a seed it draws from node:crypto.
 */
import { createHash, randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';

export type Random = () => number;

/** mulberry32: tiny, fast, good enough for test dice and ids. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const cryptoRandom: Random = () => randomInt(0, 2 ** 47) / 2 ** 47;

const HEX = '0123456789abcdef';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function pick(random: Random, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet.charAt(Math.floor(random() * alphabet.length));
  return out;
}

/** Cloudflare ids are 32 lowercase hex characters. */
export function newId(random: Random): string {
  return pick(random, HEX, 32);
}

/**
 * New-style token value (docs/cloudflare-api.md "Value format"): `cfat_` + 40 alphanumerics + an 8-hex CRC32 checksum of the
 * body, 53 characters in all (the schema allows 40–80).
 */
export function newTokenValue(random: Random): string {
  const body = pick(random, ALNUM, 40);
  return `cfat_${body}${crc32(body).toString(16).padStart(8, '0')}`;
}

/** True when a `cfat_` value's checksum matches; lets the auth layer reject typos cheaply. */
export function tokenValueChecksumOk(value: string): boolean {
  const m = /^cfat_([A-Za-z0-9]{40})([0-9a-f]{8})$/.exec(value);
  if (!m) return true; // legacy 40–80 character values carry no checksum
  return crc32(m[1]!).toString(16).padStart(8, '0') === m[2];
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Deterministic shuffle seeded by `seed` (a resource id). The API returns policies and permission groups in another
 * order than sent (docs/cloudflare-api.md); when the shuffle happens to keep the order of a list of 2+, it is rotated so the
 * difference is guaranteed and a client that compares lists in order is always caught.
 */
export function shuffledBy<T>(items: readonly T[], seed: string): T[] {
  const out = [...items];
  if (out.length < 2) return out;
  const random = seededRandom(Number.parseInt(sha256Hex(seed).slice(0, 8), 16));
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  if (out.every((x, i) => x === items[i])) out.push(out.shift()!);
  return out;
}
