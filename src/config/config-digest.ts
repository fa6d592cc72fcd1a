/**
 * A stable digest of the resolved config: a saved plan records it, and `apply PLAN` refuses if it changed.
 * Canonical JSON (sorted keys); `source` is left out because moving the Config document changes nothing.
 */
import { sha256 } from '../sha256.js';
import type { ResolvedConfig } from './types.js';

export function configDigest(config: ResolvedConfig): string {
  const { source: _source, zones, ...rest } = config;
  // No zone aliases digests as before they existed: plans saved by an earlier version stay fresh.
  const digested = Object.keys(zones ?? {}).length > 0 ? { ...rest, zones } : rest;
  return sha256().update(canonicalJson(digested)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
