/**
 * One desired resource → at most one step: matched to state by address, to live by the recorded id, or (not
 * recorded, or after a crash) to exactly one unmanaged live resource by Cloudflare name.
 */
import { CfgitopsError } from '../errors.js';
import type { Adapter, StepFields } from '../kinds/kind.js';
import { kindOf, type ResourceKind } from '../kinds/registry.js';
import type { DesiredResource } from '../manifest/types.js';
import { addressKey, ANNOTATION_PREVENT_DESTROY } from '../resources.js';
import type { Intent, RecordedResource } from '../state/types.js';
import { changedFields } from './diff-policies.js';
import type { PlanStep } from './plan.js';
import type { LiveByKind, PlanContext } from './plan-context.js';
import { driftReason, makeStep, type PlanOutput } from './plan-output.js';

/** Plans one desired resource; TSIGs must be planned before the peers that use them. */
export function planDesired(ctx: PlanContext, d: DesiredResource, out: PlanOutput): void {
  const kind = kindOf(d.kind);
  const adapter = kind.adapter(ctx, d, out);
  if (!adapter) return;
  const key = addressKey(d.address);
  const rec = ctx.recorded.get(key);
  if (rec && kind.planInterrupted?.(ctx, d, adapter, rec, out)) return;
  const intents = ctx.intentsByAddress.get(key) ?? [];
  const intent = intents.find((i) => i.op === 'create') ?? intents.find((i) => i.op === 'roll');
  const live = rec ? ctx.liveById(d.kind, d.address.account, rec.id) : undefined;
  let step: PlanStep | undefined;
  if (rec && live) {
    ctx.claim(d.kind, d.address.account, live.id);
    step = planExisting(ctx, d, adapter, rec, live, intent, out);
    warnOrphanOfIntent(ctx, d, intent, out);
  } else {
    step = planAbsent(ctx, d, adapter, rec, intent, out);
  }
  if (!step) return;
  // The manifest decides prevent-destroy; state keeps a copy for after the manifest is gone. A copy that no longer
  // matches must be recorded even when nothing else changes.
  if (
    step.action === 'no-op' &&
    rec &&
    (rec.prevent_destroy === true) !== (d.annotations[ANNOTATION_PREVENT_DESTROY] === 'true')
  ) {
    step.recordsAnnotations = true;
  }
  out.steps.set(key, step);
  kind.planned?.(d, step, out);
}

function planExisting(
  ctx: PlanContext,
  d: DesiredResource,
  adapter: Adapter,
  rec: RecordedResource,
  live: LiveByKind[ResourceKind],
  intent: Intent | undefined,
  out: PlanOutput,
): PlanStep {
  // Every step of a desired resource carries its annotations (even none), so the executor records
  // prevent-destroy — and clears it — on every action, no-op included.
  const common = stepFields(d, adapter, intent, live.id);
  const kind = kindOf(d.kind);
  if (kind.planExisting) return kind.planExisting(ctx, d, adapter, rec, live, intent, common, out);
  const diff = adapter.compare(live);
  const unfinished = kind.unfinished?.(rec);
  if (unfinished !== undefined) {
    return makeStep('update', { ...common, reason: unfinished, diff, body: adapter.body });
  }
  if (diff.length === 0) return makeStep('no-op', { ...common, reason: 'in sync', diff });
  return makeStep('update', { ...common, reason: driftReason(diff), diff, body: adapter.body });
}

function planAbsent(
  ctx: PlanContext,
  d: DesiredResource,
  adapter: Adapter,
  rec: RecordedResource | undefined,
  intent: Intent | undefined,
  out: PlanOutput,
): PlanStep | undefined {
  const { account } = d.address;
  const kind = kindOf(d.kind);
  const noun = kind.noun;
  const createIntent = intent?.op === 'create' ? intent : undefined;
  // Recorded but gone: re-create, unless a crashed run's create of it may have landed (look that up by name).
  const names = createIntent ? [...new Set([createIntent.cf_name, d.spec.name])] : rec ? [] : [d.spec.name];
  const common = stepFields(d, adapter, intent, undefined);
  for (const name of names) {
    const found = ctx.unmanagedNamed(d.kind, account, name);
    if (found.length > 1) {
      out.errors.push(
        new CfgitopsError(
          'E_ADOPT_AMBIGUOUS',
          `${found.length} unmanaged ${noun}s named "${name}" exist in account ${account}; cannot tell which to adopt`,
          {
            location: d.locate('/spec/name'),
            hint: `delete or rename the extra ones in Cloudflare (ids ${found.map((f) => f.id).join(', ')}), or choose another name`,
          },
        ),
      );
      return undefined;
    }
    const live = found[0];
    if (!live) continue;
    ctx.claim(d.kind, account, live.id);
    const diff = adapter.compare(live);
    const origin = createIntent
      ? `created by an interrupted run (intent ${createIntent.id})`
      : `an unmanaged ${noun} named "${name}" exists`;
    const parts = [`${origin}: adopt it`];
    if (diff.length > 0) parts.push(`update ${changedFields(diff)}`);
    // A kind with a value (tokens) says whether adoption rolls it or keeps it where it is.
    const value = kind.adoptValue?.(ctx, d, createIntent !== undefined);
    const roll = value?.roll === true;
    if (value) parts.push(value.note);
    return makeStep('adopt', {
      ...common,
      targetId: live.id,
      reason: parts.join('; '),
      diff,
      body: adapter.body,
      ...(roll ? { rollValue: true } : {}),
    });
  }
  // A kind may refuse to create what is declared (a token whose declared expiry is past): its step, or none.
  const instead = kind.insteadOfCreate?.(ctx, d, adapter, rec, createIntent, common, out);
  if (instead) return instead.step;
  const reason = createIntent
    ? `an interrupted run did not create it (intent ${createIntent.id}): create`
    : rec
      ? `deleted out of band: re-create${kind.recreateNote ?? ''}`
      : newReason(noun);
  // `common` is this call's own: completed in place rather than copied (same keys, same order as a spread).
  const recreated = rec && !createIntent ? kind.recreateFields?.(ctx, d, rec, common, out) : undefined;
  return makeStep('create', Object.assign(common, { reason, diff: adapter.creation(), body: adapter.body }, recreated));
}

const NEW_REASONS = new Map<string, string>();

/** `new token: create`, one string per kind: built per step, each was two strings the plan keeps. */
function newReason(noun: string): string {
  let reason = NEW_REASONS.get(noun);
  if (reason === undefined) {
    reason = `new ${noun}: create`;
    NEW_REASONS.set(noun, reason);
  }
  return reason;
}

/** A create intent on a resource that is recorded and alive: a crashed replace may have left an extra one. */
function warnOrphanOfIntent(ctx: PlanContext, d: DesiredResource, intent: Intent | undefined, out: PlanOutput): void {
  if (intent?.op !== 'create') return;
  const orphans = ctx.unmanagedNamed(d.kind, d.address.account, intent.cf_name);
  if (orphans.length === 0) return;
  out.warnings.push({
    code: 'W_INTENT_ORPHAN',
    message: `an interrupted run (intent ${intent.id}) may have created unmanaged ${kindOf(d.kind).noun}(s) named "${intent.cf_name}" (ids ${orphans.map((o) => o.id).join(', ')}); delete them in Cloudflare if unused`,
    source: d.source,
  });
}

/**
 * The fields every step of a desired resource starts with, in plan order. Built by assignment: conditional
 * spreads between literal properties run ~5× slower in V8, and this runs once per resource.
 */
function stepFields(
  d: DesiredResource,
  adapter: Adapter,
  intent: Intent | undefined,
  targetId: string | undefined,
): StepFields {
  const fields: StepFields = {
    address: d.address,
    cfName: d.spec.name,
  };
  if (targetId !== undefined) fields.targetId = targetId;
  fields.source = d.source;
  // The executor records prevent-destroy from these on every step, not only on deletes.
  fields.annotations = Object.keys(d.annotations).length > 0 ? { ...d.annotations } : d.annotations;
  if (adapter.sink) fields.sink = adapter.sink;
  if (intent) fields.resolvesIntent = intent.id;
  return fields;
}
