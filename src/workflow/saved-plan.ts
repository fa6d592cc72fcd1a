/**
 * `plan --out FILE` / `apply FILE`. A saved plan is the Plan as JSON: steps, digests of the manifests and config, the
 * state lineage and serial — and no secret (the plan model holds none). Applying it is refused when anything it was
 * made against has changed, because its steps would then be wrong.
 */
import * as fsPromises from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../fs/write-file-atomic.js';
import { CfgitopsError } from '../errors.js';
import { PLAN_FORMAT_VERSION, type Plan } from '../planner/plan.js';
import type { StateDocument } from '../state/types.js';

export async function writeSavedPlan(path: string, plan: Plan): Promise<void> {
  await writeFileAtomic(fsPromises, path, JSON.stringify(plan, null, 2) + '\n', { mode: 0o600, createDir: true });
}

export async function readSavedPlan(path: string): Promise<Plan> {
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
  if (!isPlan(value)) {
    throw new CfgitopsError('E_PLAN_FILE', `${path} is not a cfgitops plan of format ${PLAN_FORMAT_VERSION}`, {
      hint: 'plans are tied to the cfgitops version that wrote them: run `cfgitops plan --out FILE` again',
    });
  }
  return value;
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
  now: { state: StateDocument; manifestsDigest: string; configDigest: string },
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
  if (changed.length > 0) {
    throw new CfgitopsError('E_PLAN_STALE', `the saved plan is stale: ${changed.join('; ')}`, {
      hint: 'run `cfgitops plan --out FILE` again and apply the new plan',
    });
  }
}
