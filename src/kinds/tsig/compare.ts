/**
 * Comparison of a desired TSIG key with a live one: name and algo exactly, the secret only through
 * `Secret.equals` — a diff shows it as `(sensitive)`, never the value.
 */
import type { CfTsig } from '../../cloudflare/types.js';
import { SENSITIVE, type Secret } from '../../secret.js';
import type { FieldChange, PlannedTsigBody, PlanStep, PlanWarning } from '../../planner/plan.js';
import { addressKey } from '../../resources.js';

/** What a diff shows for a secret read from a reference not applied yet: not read by plan, so not compared. */
export const UNCHECKED_SECRET = '(sensitive, from a new reference, checked at apply)';

/**
 * `secret`: `'unchecked'` when its reference is not the applied one (src/manifest/secret-ref.ts): plan did not read
 * it, so the secret is shown as changing — apply reads it after review and sends it (a PUT of an equal secret
 * changes nothing), which records the reference for the next plan.
 */
export function compareTsig(
  desired: PlannedTsigBody,
  secret: Secret | 'unchecked' | undefined,
  live: CfTsig,
): FieldChange[] {
  const diff: FieldChange[] = [];
  if (desired.name !== live.name) diff.push({ path: '/name', before: live.name, after: desired.name });
  if (desired.algo !== live.algo) diff.push({ path: '/algo', before: live.algo, after: desired.algo });
  if (secret === 'unchecked') {
    diff.push({ path: '/secret', before: SENSITIVE, after: UNCHECKED_SECRET });
    return diff;
  }
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

/** One W_SECRET_UNCHECKED per TSIG step whose secret comes from a reference not applied yet (as W_SINK_UNCHECKED). */
export function secretUncheckedWarnings(steps: readonly PlanStep[]): PlanWarning[] {
  const out: PlanWarning[] = [];
  for (const step of steps) {
    if (step.address.kind !== 'SecondaryDnsTsig') continue;
    if (!step.diff.some((c) => c.path === '/secret' && c.after === UNCHECKED_SECRET)) continue;
    out.push({
      code: 'W_SECRET_UNCHECKED',
      message: `${addressKey(step.address)}: the secret's reference is new or changed since the last apply, so plan did not read it; apply reads it after review and sends it`,
      ...(step.source ? { source: step.source } : {}),
    });
  }
  return out;
}
