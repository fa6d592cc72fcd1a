/**
 * The planner: desired (manifests) vs recorded (state) vs live (Cloudflare) → Plan. Pure and synchronous: no I/O,
 * no clock (`now` is an input), no randomness; the same inputs always give the same plan, byte for byte.
 * Problems come back as positioned errors, never thrown; the plan may be applied only when there are none, but it
 * is always complete enough to show (guardrail violations sit beside the steps they concern).
 */
import { CfgitopsError } from '../errors.js';
import type { DesiredResource } from '../manifest/types.js';
import { checkPolicy, resolvedGroups } from './check-policy.js';
import { classify, findingError, findingWarning, leavesBodyAsIs, type ResourceChange } from './guardrail-mode.js';
import { holdIfProtected, isReplacement } from './held-steps.js';
import { KIND_ORDER } from '../kinds/registry.js';
import { secretUncheckedWarnings } from '../kinds/tsig/compare.js';
import { ANNOTATION_PREVENT_DESTROY, addressKey } from '../resources.js';
import { formatInstant } from './instant.js';
import { PLAN_FORMAT_VERSION, summarize, type Plan, type PlanStep, type PlanWarning } from './plan.js';
import { compareText, PlanContext, type PlanInput } from './plan-context.js';
import { newPlanOutput, type PlanOutput } from './plan-output.js';
import { planConfigChanges } from './plan-config.js';
import { planDesired } from './plan-desired.js';
import { linkPredecessorSteps, planOrphanedPredecessors } from './plan-rotation.js';
import { checkTokenQuota } from './token-quota.js';
import { planRemovals } from './plan-removals.js';
import { linkDependencies, orderSteps } from './order-steps.js';
import { suspendSteps } from './suspend-steps.js';
import { guardZoneLinks } from './zone-link-guards.js';

export type { PlanInput } from './plan-context.js';

export interface PlanResult {
  plan: Plan;
  errors: CfgitopsError[];
}

export function planChanges(input: PlanInput): PlanResult {
  const ctx = new PlanContext(input);
  const out = newPlanOutput();
  // TSIGs first: a peer's body needs its TSIG's id (or a reference to the TSIG created in this run).
  for (const d of sortedDesired(input.desired)) planDesired(ctx, d, out);
  planOrphanedPredecessors(ctx, out);
  planRemovals(ctx, out);
  linkPredecessorSteps(out);
  const warnings = [...out.warnings, ...linkDependencies(ctx, out)];
  guardZoneLinks(ctx, out);
  checkDestroys(ctx, out);
  const suspended = suspendSteps(orderSteps(out.steps.values()));
  const steps = suspended.steps;
  warnings.push(...suspended.warnings);
  // After suspension: a suspended change is not made, so it does not count as one (guardrail-mode.ts).
  warnings.push(...checkGuardrails(ctx, out, steps));
  warnings.push(...secretUncheckedWarnings(steps));
  out.errors.push(...checkTokenQuota(steps, input.live));
  const configChanges = planConfigChanges(input.config, input.state.applied_config);
  const plan: Plan = {
    format_version: PLAN_FORMAT_VERSION,
    created_at: formatInstant(input.now),
    manifests_digest: input.manifestsDigest,
    config_digest: input.configDigest,
    state: { lineage: input.state.lineage, serial: input.state.serial },
    steps,
    config_changes: configChanges,
    summary: summarize(steps, configChanges.length > 0),
    warnings,
  };
  return { plan, errors: out.errors };
}

/**
 * Every guardrail violation, as an error or a warning per its mode, and beside its resource's step. Steps are
 * replaced, not mutated: `out.steps` may share objects with the caller's earlier plans.
 */
function checkGuardrails(ctx: PlanContext, out: PlanOutput, steps: PlanStep[]): PlanWarning[] {
  const policy = ctx.input.config.policy ?? {};
  const violations = checkPolicy(ctx.input.desired, resolvedGroups(out.resolvedTokens), policy, ctx.input.now);
  if (violations.length === 0) return [];
  const index = new Map(steps.map((s, i) => [addressKey(s.address), i]));
  const warnings: PlanWarning[] = [];
  for (const v of violations) {
    const key = addressKey(v.address);
    const at = index.get(key);
    const step = at === undefined ? undefined : steps[at];
    const change: ResourceChange =
      step === undefined ? 'unknown' : leavesBodyAsIs(step, ctx.recorded.has(key)) ? 'unchanged' : 'changed';
    const finding = classify(v, policy, change);
    if (finding.severity === 'error') out.errors.push(findingError(finding));
    else warnings.push(findingWarning(finding));
    if (at !== undefined && step !== undefined)
      steps[at] = { ...step, guardrails: [...(step.guardrails ?? []), finding] };
  }
  return warnings;
}

/**
 * By kind (KIND_ORDER), account, name. Sorted on one precomputed key per resource: the three-field comparator ran
 * ~130,000 times for 10,000 resources. NUL separates the fields (no id or name holds one), so comparing the keys
 * code unit by code unit orders exactly as comparing field by field.
 */
function sortedDesired(desired: readonly DesiredResource[]): DesiredResource[] {
  // Field by field, not on a joined key: building 10,000 keys and comparing them cost more than the sort itself.
  return [...desired].sort(
    (a, b) =>
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      compareText(a.address.account, b.address.account) ||
      compareText(a.address.name, b.address.name),
  );
}

/**
 * prevent-destroy: a delete of a protected resource is an error; a protected token that must be re-created is held
 * for a decision (held-steps.ts). And a cap on the share of managed resources one run may delete.
 */
function checkDestroys(ctx: PlanContext, out: PlanOutput): void {
  let deletes = 0;
  for (const [key, step] of out.steps) {
    if (step.action === 'delete' && ctx.recorded.has(key)) deletes++;
    const d = ctx.desiredByKey.get(key);
    if (isReplacement(step)) {
      out.steps.set(key, holdIfProtected(step, d));
      continue;
    }
    if (step.action !== 'delete') continue;
    const rec = ctx.recorded.get(key);
    // While the manifest exists its annotation decides (removing it takes effect at once); the state's copy keeps
    // a delete blocked once the manifest that carried the annotation is gone.
    const guarded = d ? d.annotations[ANNOTATION_PREVENT_DESTROY] === 'true' : rec?.prevent_destroy === true;
    if (!guarded) continue;
    const location = d ? d.locate(`/metadata/annotations/${ANNOTATION_PREVENT_DESTROY.replace('/', '~1')}`) : undefined;
    out.errors.push(
      new CfgitopsError(
        'E_PREVENT_DESTROY',
        `${key} would be deleted, but it is protected by ${ANNOTATION_PREVENT_DESTROY}`,
        {
          location,
          hint: d
            ? `remove the ${ANNOTATION_PREVENT_DESTROY} annotation and apply first, if destroying it is intended`
            : `restore its manifest without the ${ANNOTATION_PREVENT_DESTROY} annotation and apply, then remove it`,
        },
      ),
    );
  }
  const managed = ctx.recorded.size;
  const { maxDeleteShare } = ctx.input.config;
  if (deletes > 0 && deletes / managed > maxDeleteShare && !ctx.input.options.allowMassDelete) {
    out.errors.push(
      new CfgitopsError(
        'E_MASS_DELETE',
        `the plan deletes ${deletes} of ${managed} managed resources, more than the allowed share of ${Math.round(maxDeleteShare * 100)}%`,
        { hint: 'check that no manifest is missing; re-run with --allow-mass-delete if this is intended' },
      ),
    );
  }
}
