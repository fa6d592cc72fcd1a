/**
 * `cfgitops.dev/suspend: "true"` on a resource: plans leave it as it is. Its step becomes a no-op that says what it
 * would have done, and so does every step depending on it (a peer cannot be created before the TSIG it points at),
 * with one W_SUSPENDED warning each, so a report and the controller's metrics still show what is held back.
 * Removals are never suspended: a resource whose manifest is gone has no annotation left to read.
 */
import { ANNOTATION_SUSPEND, addressKey } from '../resources.js';
import type { PlanStep, PlanWarning } from './plan.js';

export interface SuspendResult {
  steps: PlanStep[];
  warnings: PlanWarning[];
}

export function suspendSteps(steps: readonly PlanStep[]): SuspendResult {
  const suspended = new Map<string, string>();
  for (const s of steps) {
    if (s.action !== 'no-op' && s.annotations?.[ANNOTATION_SUSPEND] === 'true') {
      suspended.set(s.id, `${ANNOTATION_SUSPEND} is "true"`);
    }
  }
  if (suspended.size === 0) return { steps: [...steps], warnings: [] };
  // Steps are ordered with their dependencies first, but a fixed point costs nothing at plan sizes and needs no
  // assumption about that order.
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of steps) {
      if (suspended.has(s.id) || s.action === 'no-op') continue;
      const blocker = s.dependsOn.find((id) => suspended.has(id));
      if (blocker === undefined) continue;
      suspended.set(s.id, `it depends on ${blocker}, which is suspended`);
      grew = true;
    }
  }
  const warnings: PlanWarning[] = [];
  const out = steps.map((s): PlanStep => {
    const why = suspended.get(s.id);
    if (why === undefined) return s;
    const key = addressKey(s.address);
    warnings.push({
      code: 'W_SUSPENDED',
      message: `${key} is suspended (${why}): its ${s.action} is skipped (${s.reason})`,
      ...(s.source ? { source: s.source } : {}),
    });
    return {
      id: `no-op:${key}`,
      action: 'no-op',
      address: s.address,
      cfName: s.cfName,
      ...(s.targetId !== undefined ? { targetId: s.targetId } : {}),
      ...(s.source ? { source: s.source } : {}),
      reason: `suspended: ${s.action} skipped (${why})`,
      diff: [],
      dependsOn: [],
      ...(s.annotations ? { annotations: s.annotations } : {}),
    };
  });
  return { steps: out, warnings };
}
