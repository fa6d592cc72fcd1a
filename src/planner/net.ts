/**
 * IP and CIDR normalisation without `node:net` (the planner is pure). Cloudflare may echo `2001:DB8:0:0::1` as
 * `2001:db8::1` and `10.1.2.3/8` as `10.0.0.0/8`; both spellings must compare equal or every plan shows drift.
 */
import { boundedMemo } from './bounded-memo.js';

/** Canonical text of an IPv4 or IPv6 address (RFC 5952 for IPv6), or undefined when it is not one. */
export function normalizeIp(text: string): string | undefined {
  const bytes = parseIp(text.trim());
  return bytes ? formatIp(bytes) : undefined;
}

/**
 * Canonical `network/prefix` of a CIDR (host bits cleared; a bare address gets /32 or /128). Text that is not
 * a CIDR comes back trimmed and lower-cased, so it still compares deterministically.
 */
export const normalizeCidr: (text: string) => string = boundedMemo(computeCidr);

function computeCidr(text: string): string {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addr = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const bytes = parseIp(addr);
  if (!bytes) return trimmed.toLowerCase();
  const bits = bytes.length * 8;
  let prefix = bits;
  if (slash >= 0) {
    const p = trimmed.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > bits) return trimmed.toLowerCase();
    prefix = Number(p);
  }
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    bytes[i] = bytes[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return `${formatIp(bytes)}/${prefix}`;
}

/** A list of CIDRs as a canonical sorted set (absent ≡ empty). */
export function normalizeCidrSet(list: readonly string[] | undefined): string[] {
  return [...new Set((list ?? []).map(normalizeCidr))].sort();
}

/**
 * 4 or 6 when `text` is an IPv4 or IPv6 address, else 0 — node:net's `isIP` without zone ids (`fe80::1%eth0`
 * names an interface of one host, never a Cloudflare peer). Not node:net's: loading it and compiling its IPv6
 * regex on first use cost `validate` ~6 ms of its start-up (docs/benchmarks.md).
 */
export function ipFamily(text: string): 0 | 4 | 6 {
  const bytes = parseIp(text);
  return bytes === undefined ? 0 : bytes.length === 4 ? 4 : 6;
}

function parseIp(text: string): number[] | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    // No leading zero: `010` reads as octal to some resolvers and as decimal to others (node:net refuses it too).
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out.push(Number(p));
  }
  return out;
}

function parseIpv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  // A dotted IPv4 tail may only end the whole address (`::1.2.3.4`, never `1.2.3.4::`).
  const groups = (s: string, last: boolean): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (const [i, p] of parts.entries()) {
      if (last && i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
        out.push(parseInt(p, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...(new Array(missing).fill(0) as number[]), ...tail];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

function formatIp(bytes: readonly number[]): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  // RFC 5952: compress the longest run (≥ 2) of zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Whether `ip` lies inside `cidr` (same address family only); false when either does not parse. */
export function cidrContains(cidr: string, ip: string): boolean {
  const slash = cidr.indexOf('/');
  const net = parseIp((slash < 0 ? cidr : cidr.slice(0, slash)).trim());
  const addr = parseIp(ip.trim());
  if (!net || !addr || net.length !== addr.length) return false;
  const prefix = slash < 0 ? net.length * 8 : Number(cidr.slice(slash + 1));
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > net.length * 8) return false;
  for (let i = 0; i < net.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    const mask = (0xff << (8 - keep)) & 0xff;
    if ((net[i]! & mask) !== (addr[i]! & mask)) return false;
  }
  return true;
}

/**
 * The network a CIDR with host bits set stands for (`10.0.0.1/8` → `10.0.0.0/8`), or undefined when none are set
 * or the text is not a CIDR. A bare address is a single host, never "host bits set".
 */
export const cidrWithHostBits: (text: string) => string | undefined = boundedMemo(computeHostBits);

function computeHostBits(text: string): string | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addr = normalizeIp(text.slice(0, slash));
  const network = normalizeCidr(text);
  if (addr === undefined || !network.includes('/')) return undefined;
  return network.slice(0, network.indexOf('/')) === addr ? undefined : network;
}
