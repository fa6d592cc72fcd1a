/**
 * What a guardrail violation counts as: its rule's mode (`policy.modes[rule]`, else `policy.mode`, else `enforce`)
 * and whether the plan changes the resource. Under `enforce-new` a resource already applied and left as it is by
 * this plan (a no-op, only a new value, or an expired or revoked token re-created as it was) is tolerated with a
 * warning, so a guardrail can be adopted on a repository that does not comply yet; anything the plan would create,
 * adopt or update must comply. An update restoring out-of-band drift counts as a change: apply would write the whole
 * non-compliant body again (cfgitops records no copy of the applied spec that would tell drift from an edit), and
 * so does re-creating a resource deleted out of band.
 */
import type { GuardrailMode, GuardrailPolicy, GuardrailRule } from '../config/types.js';
import { CfgitopsError, formatLocation, type SourceLocation } from '../errors.js';
import type { DesiredResource } from '../manifest/types.js';
import { checkPolicy, writtenGroups, type Violation } from './check-policy.js';
import type { GuardrailFinding, PlanStep, PlanWarning } from './plan.js';

/**
 * - unchanged: recorded, and this plan leaves its body as it is.
 * - changed: new, adopted, updated or re-created by this plan.
 * - unknown: no plan to tell (`validate`, or planning the resource failed).
 */
export type ResourceChange = 'unchanged' | 'changed' | 'unknown';

export function ruleMode(policy: GuardrailPolicy, rule: GuardrailRule): GuardrailMode {
  return policy.modes?.[rule] ?? policy.mode ?? 'enforce';
}

/** The setting a reader changes to change this rule's mode. */
function modeSetting(policy: GuardrailPolicy, rule: GuardrailRule): string {
  return policy.modes?.[rule] !== undefined ? `policy.modes.${rule}` : 'policy.mode';
}

/**
 * A step leaves a recorded resource's configuration as it is: in sync, only a new value, or a re-creation of the same
 * spec because Cloudflare expired or revoked the token (blocking that would keep a dead or leaked token in place
 * over a rule the resource was tolerated under). A create, adoption or update writes a configuration of its own.
 */
export function leavesBodyAsIs(step: PlanStep, recorded: boolean): boolean {
  if (!recorded) return false;
  switch (step.action) {
    case 'create':
    case 'adopt':
    case 'update':
      return false;
    case 'replace':
    case 'replace-exposed':
      return step.diff.every((c) => c.path === '/status');
    default:
      return true;
  }
}

export function classify(violation: Violation, policy: GuardrailPolicy, change: ResourceChange): GuardrailFinding {
  const mode = ruleMode(policy, violation.rule);
  const error = mode === 'enforce' || (mode === 'enforce-new' && change === 'changed');
  return {
    rule: violation.rule,
    mode,
    severity: error ? 'error' : 'warning',
    message: violation.message,
    location: violation.location,
    hint: `${violation.hint}${modeNote(mode, modeSetting(policy, violation.rule), change)}`,
  };
}

function modeNote(mode: GuardrailMode, setting: string, change: ResourceChange): string {
  if (mode === 'enforce') return '';
  if (mode === 'warn') return `; a warning only (${setting}: warn)`;
  switch (change) {
    case 'unchanged':
      return `; tolerated while the resource stays as applied (${setting}: enforce-new), an error once it is changed`;
    case 'changed':
      return `; new and changed resources must comply (${setting}: enforce-new)`;
    case 'unknown':
      return `; ${setting}: enforce-new, so plan refuses it if the resource is new or changed`;
  }
}

export function findingError(f: GuardrailFinding): CfgitopsError {
  return new CfgitopsError('E_POLICY_VIOLATION', f.message, { location: f.location, hint: f.hint });
}

export function findingWarning(f: GuardrailFinding): PlanWarning {
  return { code: 'W_POLICY_VIOLATION', message: `${f.message} (${f.hint})`, source: f.location };
}

/**
 * The plan's errors and warnings that are guardrail findings shown beside a step, keyed by code, message and
 * position: renderers list them there and leave them out of the plan-wide lists, so each is read once.
 */
export function findingsBesideSteps(steps: readonly PlanStep[]): Set<string> {
  const keys = new Set<string>();
  for (const f of steps.flatMap((s) => s.guardrails ?? [])) {
    if (f.severity === 'error') keys.add(problemKey(findingError(f)));
    else {
      const w = findingWarning(f);
      keys.add(problemKey({ code: w.code, message: w.message, location: w.source }));
    }
  }
  return keys;
}

export function problemKey(p: { code: string; message: string; location?: SourceLocation | undefined }): string {
  return `${p.code}\u0000${p.message}\u0000${p.location ? formatLocation(p.location) : ''}`;
}

/**
 * The guardrails `validate` runs: every rule, offline (no state, no live catalog: `writtenGroups`). Whether a
 * resource is new or changed is unknown there, so enforce-new findings are warnings; the plan decides.
 */
export function offlineGuardrails(
  resources: readonly DesiredResource[],
  policy: GuardrailPolicy,
  now: number,
): GuardrailFinding[] {
  return checkPolicy(resources, writtenGroups, policy, now).map((v) => classify(v, policy, 'unknown'));
}
