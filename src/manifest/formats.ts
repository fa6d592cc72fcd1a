/**
 * The custom JSON-Schema formats of the manifest schemas. Their own module because the build-time validators
 * (dist/manifest/document-formats.cjs, written by scripts/compile-validators.js) load them at run time too.
 */
import { boundedMemo } from '../planner/bounded-memo.js';
import { ipFamily } from '../planner/net.js';

/** Checked by the schema for every CIDR of every token. */
export const isCidr: (value: string) => boolean = boundedMemo(computeIsCidr);

function computeIsCidr(value: string): boolean {
  const slash = value.indexOf('/');
  const ip = slash === -1 ? value : value.slice(0, slash);
  const family = ipFamily(ip);
  if (family === 0) return false;
  if (slash === -1) return true;
  const prefix = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

export const cidrFormat = { type: 'string', validate: isCidr } as const;
export const ipFormat = { type: 'string', validate: (v: string) => ipFamily(v) !== 0 } as const;
