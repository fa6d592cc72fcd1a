/**
 * `plan --out FILE` / `apply FILE`. A saved plan is the Plan as JSON: steps, digests of the manifests and config, the
 * state lineage and serial, salted pins of the TSIG secrets (secret-pins.ts) — and no secret (the plan model holds
 * none). Applying it is refused when anything it was made against has changed, because its steps would then be
 * wrong. Its sha256 is what a reviewer saw (the PR comment shows it) and what the merge job checks it downloaded.
 */
import { sha256 } from '../sha256.js';
import * as fsPromises from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../fs/write-file-atomic.js';
import { CfgitopsError } from '../errors.js';
import { PLAN_FORMAT_VERSION, type Plan } from '../planner/plan.js';
import type { StateDocument } from '../state/types.js';
import { isSecretPins, type SecretPins } from './secret-pins.js';

export interface SavedPlan {
  plan: Plan;
  /** Absent in plans saved before pins existed: refused when the manifests have TSIG secrets. */
  pins: SecretPins | undefined;
  /** `sha256:<hex>` of the file's bytes. */
  digest: string;
}

/** Writes the plan with its secret pins; returns the file's digest (`sha256:<hex>`). */
export async function writeSavedPlan(path: string, plan: Plan, pins: SecretPins): Promise<string> {
  const text = JSON.stringify({ ...plan, secret_pins: pins }, null, 2) + '\n';
  await writeFileAtomic(fsPromises, path, text, { mode: 0o600, createDir: true });
  return fileDigest(text);
}

function fileDigest(text: string): string {
  return `sha256:${sha256().update(text, 'utf8').digest('hex')}`;
}

export async function readSavedPlan(path: string): Promise<SavedPlan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CfgitopsError('E_PLAN_FILE', `cannot read the saved plan ${path}`, { cause: e });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CfgitopsError('E_PLAN_FILE', `${path} is not a cfgitops plan (not JSON)`, {
      hint: 'pass a file written by `cfgitops plan --out FILE`, or a manifest directory',
    });
  }
  const { secret_pins: pins, ...plan } = (value ?? {}) as { secret_pins?: unknown };
  if (!isPlan(plan) || (pins !== undefined && !isSecretPins(pins))) {
    throw new CfgitopsError('E_PLAN_FILE', `${path} is not a cfgitops plan of format ${PLAN_FORMAT_VERSION}`, {
      hint: 'plans are tied to the cfgitops version that wrote them: run `cfgitops plan --out FILE` again',
    });
  }
  return { plan, pins, digest: fileDigest(text) };
}

function isPlan(v: unknown): v is Plan {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Partial<Plan>;
  return (
    p.format_version === PLAN_FORMAT_VERSION &&
    typeof p.manifests_digest === 'string' &&
    typeof p.config_digest === 'string' &&
    typeof p.state?.lineage === 'string' &&
    typeof p.state.serial === 'number' &&
    Array.isArray(p.steps) &&
    typeof p.summary === 'object'
  );
}

/** Throws E_PLAN_STALE naming what changed since the plan was made. */
export function assertPlanCurrent(
  plan: Plan,
  now: {
    state: StateDocument;
    manifestsDigest: string;
    configDigest: string;
    /** TSIG secrets that differ from the plan's pins (`changedSecrets`); absent: the plan has no pins. */
    changedSecrets?: readonly string[];
    /** How many TSIG secrets the manifests resolve now. */
    secretCount?: number;
  },
): void {
  const changed: string[] = [];
  // A state that was never written has a fresh random lineage each time it is read: serial 0 on both sides means
  // "no state yet" then and now, which is the same state.
  const bothEmpty = plan.state.serial === 0 && now.state.serial === 0;
  if (!bothEmpty && plan.state.lineage !== now.state.lineage) {
    changed.push('the state is a different one (lineage differs)');
  } else if (plan.state.serial !== now.state.serial) {
    changed.push(`the state changed (serial ${plan.state.serial} → ${now.state.serial})`);
  }
  if (plan.manifests_digest !== now.manifestsDigest) changed.push('the manifests changed');
  if (plan.config_digest !== now.configDigest) changed.push('the configuration changed');
  if (now.changedSecrets === undefined) {
    if ((now.secretCount ?? 0) > 0) changed.push('the plan pins no TSIG secrets (saved by an older cfgitops)');
  } else if (now.changedSecrets.length > 0) {
    changed.push(`TSIG secrets changed since the plan was made: ${now.changedSecrets.join(', ')}`);
  }
  if (changed.length > 0) {
    throw new CfgitopsError('E_PLAN_STALE', `the saved plan is stale: ${changed.join('; ')}`, {
      hint: 'run `cfgitops plan --out FILE` again and apply the new plan',
    });
  }
}
