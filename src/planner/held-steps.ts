/**
 * `cfgitops.dev/prevent-destroy` on a token that must be re-created (expired with `tokens.onExpired: recreate`, or
 * revoked as exposed). Failing the plan would block every other change of the account until someone edits state;
 * doing it would ignore the protection. So the step is held: shown with the one decision a person must make and
 * how to record it, while the rest of the plan goes ahead (docs/token-lifecycle.md).
 */
import type { DesiredResource } from '../manifest/types.js';
import { ANNOTATION_APPROVE_REPLACE, ANNOTATION_PREVENT_DESTROY } from '../resources.js';
import type { PlanStep } from './plan.js';
import { makeStep } from './plan-output.js';

export type Replacement = PlanStep & { action: 'replace' | 'replace-exposed' };

export function isReplacement(step: PlanStep): step is Replacement {
  return step.action === 'replace' || step.action === 'replace-exposed';
}

/**
 * The step as it goes into the plan: unchanged when the manifest does not protect it (the manifest decides for a
 * declared resource, not the flag state recorded at the last apply), or when the approval names the id replaced.
 */
export function holdIfProtected(step: Replacement, d: DesiredResource | undefined): PlanStep {
  const annotations = d?.annotations ?? {};
  if (annotations[ANNOTATION_PREVENT_DESTROY] !== 'true') return step;
  const id = step.targetId;
  if (id !== undefined && annotations[ANNOTATION_APPROVE_REPLACE] === id) {
    return { ...step, reason: `${step.reason} (approved by ${ANNOTATION_APPROVE_REPLACE}: ${id})` };
  }
  const why = step.action === 'replace-exposed' ? 'revoked by Cloudflare as exposed' : 'expired';
  const at = d?.source ? ` (${d.source.file}:${d.source.line})` : '';
  const how = [
    `replace it once: add the annotation ${ANNOTATION_APPROVE_REPLACE}: "${id ?? 'TOKEN_ID'}" to its manifest${at}`,
    `or lift the protection: remove ${ANNOTATION_PREVENT_DESTROY} from its manifest (the state's copy of the flag is not consulted while the manifest exists)`,
  ];
  if (step.action === 'replace') how.push('or keep the id: set tokens.onExpired: roll in the Config');
  const { id: _id, action: _action, dependsOn: _deps, body: _body, rollValue: _roll, ...rest } = step;
  return makeStep('held', {
    ...rest,
    reason: `${why} and must be re-created, but ${ANNOTATION_PREVENT_DESTROY} protects it: nothing is done until you decide`,
    decision: {
      action: step.action,
      question: `replace this token (id ${id ?? 'unknown'}, ${why}) with a new one, although it is protected?`,
      how,
    },
  });
}
