/**
 * Comparison of a desired TSIG key with a live one: name and algo exactly, the secret only through
 * `Secret.equals` — a diff shows it as `(sensitive)`, never the value.
 */
import type { CfTsig } from '../../cloudflare/types.js';
import { SENSITIVE, type Secret } from '../../secret.js';
import type { FieldChange, PlannedTsigBody } from '../../planner/plan.js';

export function compareTsig(desired: PlannedTsigBody, secret: Secret | undefined, live: CfTsig): FieldChange[] {
  const diff: FieldChange[] = [];
  if (desired.name !== live.name) diff.push({ path: '/name', before: live.name, after: desired.name });
  if (desired.algo !== live.algo) diff.push({ path: '/algo', before: live.algo, after: desired.algo });
  // An unresolved secret is reported by the loader (E_SECRET_*); without it there is nothing to compare.
  if (secret !== undefined && !secret.equals(live.secret)) {
    diff.push({ path: '/secret', before: SENSITIVE, after: SENSITIVE, sensitive: true });
  }
  return diff;
}

export function tsigCreationDiff(desired: PlannedTsigBody): FieldChange[] {
  return [
    { path: '/name', after: desired.name },
    { path: '/algo', after: desired.algo },
    { path: '/secret', after: SENSITIVE, sensitive: true },
  ];
}
