/**
 * Rotation in the plan (docs/rotation.md): a token due by its policy — or named by `cfgitops rotate` — gets a
 * `rotate` step instead of its no-op or update; an overlap rotation an interrupted run left half done is finished;
 * a predecessor past its expiry gets a `delete-predecessor` step. Pure.
 */
import type { CfToken, CfTokenBody } from '../cloudflare/types.js';
import type { RotationStrategy } from '../config/types.js';
import { CfgitopsError } from '../errors.js';
import type { DesiredToken } from '../manifest/types.js';
import { addressKey } from '../resources.js';
import type { RecordedResource, SinkRef } from '../state/types.js';
import { parseInstant } from './instant.js';
import type { PlannedBody, PlannedRotation, PlanStep } from './plan.js';
import type { PlanContext } from './plan-context.js';
import { makeStep, type PlanOutput } from './plan-output.js';
import { graceSeconds, rotationDueReason, tokenRotationPolicy } from './rotation-policy.js';

/** `cfgitops rotate`: rotate these tokens now, whatever their age, with their strategy or this one. */
export interface ForcedRotation {
  /** By address key, the reason shown in the plan. */
  reasons: ReadonlyMap<string, string>;
  strategy?: RotationStrategy;
}

/** Cloudflare's limit on token names. */
const CF_TOKEN_NAME_MAX = 120;

/** The key under which a predecessor's step sits beside the token's own step in `PlanOutput.steps`. */
export const predecessorStepKey = (key: string): string => `${key}\u0000predecessor`;

/**
 * The name a predecessor carries once retired: unique per account (the successor takes the token's name; one
 * generation is never retired twice), and under Cloudflare's 120 characters.
 */
export function retiredName(cfName: string, generation: number): string {
  const suffix = ` (retired, generation ${generation})`;
  return `${cfName.slice(0, CF_TOKEN_NAME_MAX - suffix.length)}${suffix}`;
}

/** A live token as a full PUT body, so renaming or bounding it changes nothing else. */
export function liveTokenBody(live: CfToken): CfTokenBody {
  return {
    name: live.name,
    policies: live.policies.map(({ effect, permission_groups, resources }) => ({
      effect,
      permission_groups,
      resources,
    })),
    status: live.status === 'disabled' ? 'disabled' : 'active',
    ...(live.condition !== undefined ? { condition: live.condition } : {}),
    ...(live.expires_on !== undefined ? { expires_on: live.expires_on } : {}),
    ...(live.not_before !== undefined ? { not_before: live.not_before } : {}),
  };
}

/**
 * The step of a recorded, live token whose normal step is `step`: a `rotate` step when its value is due (or forced)
 * and nothing else mints a value this run; `step` otherwise.
 */
export function withRotation(
  ctx: PlanContext,
  d: DesiredToken,
  rec: RecordedResource,
  live: CfToken,
  step: PlanStep,
  successorBody: PlannedBody,
): PlanStep {
  const key = addressKey(d.address);
  if ((step.action !== 'no-op' && step.action !== 'update') || step.rollValue === true) return step;
  if (live.status !== 'active' && live.status !== 'disabled') return step;
  const policy = tokenRotationPolicy(d, ctx.input.config);
  const forced = ctx.input.options.forceRotation;
  const forcedReason = forced?.reasons.get(key);
  const strategy = (forcedReason !== undefined ? forced?.strategy : undefined) ?? policy.strategy;
  // One overlap at a time: a token has at most one predecessor (the policy's grace is shorter than its every). A
  // roll leaves the predecessor alone, so it may go ahead; so may an overlap once the predecessor has ended (its
  // delete-predecessor step runs first: linkPredecessorSteps).
  if (rec.predecessor !== undefined && strategy === 'overlap' && !predecessorEnded(ctx, rec)) return step;
  const reason = forcedReason ?? rotationDueReason(rec, policy, ctx.input.now);
  if (reason === undefined) return step;
  const { id: _id, action: _action, dependsOn: _deps, reason: why, diff, body, rollValue: _roll, ...common } = step;
  const generation = (rec.generation ?? 1) + 1;
  const fullReason = step.action === 'update' ? `${reason}; ${why}` : reason;
  if (strategy === 'roll') {
    const rotation: PlannedRotation = { strategy: 'roll', generation };
    return makeStep('rotate', {
      ...common,
      reason: `${fullReason} (strategy roll: same id, the old value stops working at once)`,
      diff,
      ...(body !== undefined ? { body } : {}),
      rollValue: true,
      rotation,
    });
  }
  const grace = graceSeconds(policy);
  const rotation: PlannedRotation = {
    strategy: 'overlap',
    generation,
    graceSeconds: grace,
    retiredName: retiredName(live.name, rec.generation ?? 1),
    predecessorBody: liveTokenBody(live),
    successor: 'create',
  };
  return makeStep('rotate', {
    ...common,
    targetId: live.id,
    reason: `${fullReason} (strategy overlap: a successor is delivered, the old value works ${policy.grace} more)`,
    diff,
    body: successorBody,
    rollValue: true,
    rotation,
  });
}

/** True when a recorded token's bounded predecessor has expired (by its time or Cloudflare's status) or is gone. */
function predecessorEnded(ctx: PlanContext, rec: RecordedResource): boolean {
  const pred = rec.predecessor;
  if (pred?.expires_on === undefined) return false;
  const live = ctx.liveById('AccountToken', rec.account, pred.id);
  const expiry = parseInstant(pred.expires_on);
  return live === undefined || live.status === 'expired' || (expiry !== undefined && expiry <= ctx.input.now);
}

/**
 * A recorded token with a predecessor: an unbounded one means an overlap rotation was interrupted — its `rotate`
 * step finishes it (and replaces the token's normal step: returns true); a bounded one past its expiry (or gone)
 * gets a `delete-predecessor` step beside the token's normal step.
 */
export function planPredecessor(
  ctx: PlanContext,
  d: DesiredToken | undefined,
  rec: RecordedResource,
  out: PlanOutput,
  successorBody: PlannedBody | undefined,
  sink: SinkRef | undefined,
): boolean {
  const pred = rec.predecessor;
  if (pred === undefined) return false;
  const key = addressKey(rec);
  const { account } = rec;
  const predLive = ctx.liveById('AccountToken', account, pred.id);
  if (predLive) ctx.claim('AccountToken', account, pred.id);
  const successorRecorded = rec.id !== pred.id;
  // A token whose manifest is gone before its successor was recorded: the "predecessor" is still the token in
  // force, and stays for apply --prune to delete with its record.
  if (d === undefined && !successorRecorded) return false;
  if (pred.expires_on !== undefined || d === undefined) {
    const expiry = pred.expires_on === undefined ? undefined : parseInstant(pred.expires_on);
    const expired = predLive?.status === 'expired' || (expiry !== undefined && expiry <= ctx.input.now);
    // A token whose manifest is gone mid-rotation: its predecessor goes once the successor holds the value.
    const orphaned = d === undefined && rec.value_status === 'delivered';
    if (predLive !== undefined && !expired && !orphaned) return false;
    const why =
      predLive === undefined
        ? 'is gone from Cloudflare: forget it'
        : expired
          ? `expired at ${pred.expires_on ?? predLive.expires_on ?? '(unknown)'}: delete it`
          : 'belongs to a token no longer in the manifests: delete it';
    out.steps.set(
      predecessorStepKey(key),
      makeStep('delete-predecessor', {
        address: { kind: rec.kind, account, name: rec.name },
        cfName: pred.cf_name,
        targetId: pred.id,
        reason: `predecessor ${pred.id} ("${pred.cf_name}", generation ${pred.generation}) ${why}`,
        diff: [],
      }),
    );
    return false;
  }
  // Unbounded: finish the overlap rotation. The successor is recorded (rec.id moved on), or a create intent says
  // one may exist by name, or none was sent. A recorded successor's roll may have been cut short too (its roll
  // intent): the step resolves that one, or the journal would keep it after the rotation is finished.
  const intents = ctx.intentsByAddress.get(key) ?? [];
  const intent =
    intents.find((i) => i.op === 'create') ?? (successorRecorded ? intents.find((i) => i.op === 'roll') : undefined);
  let successorId: string | undefined;
  if (!successorRecorded) {
    const names = [...new Set([intent?.cf_name ?? d.spec.name, d.spec.name])];
    for (const name of names) {
      const found = ctx.unmanagedNamed('AccountToken', account, name);
      if (found.length > 1) {
        out.errors.push(
          new CfgitopsError(
            'E_ADOPT_AMBIGUOUS',
            `${found.length} unmanaged tokens named "${name}" exist in account ${account}; cannot tell which is the successor of ${pred.id}`,
            {
              location: d.locate('/spec/name'),
              hint: `delete the extra ones in Cloudflare (ids ${found.map((f) => f.id).join(', ')})`,
            },
          ),
        );
        return true;
      }
      if (found[0]) {
        successorId = found[0].id;
        ctx.claim('AccountToken', account, successorId);
        break;
      }
    }
  } else {
    ctx.claim('AccountToken', account, rec.id);
  }
  if (successorBody === undefined) return true;
  const policy = tokenRotationPolicy(d, ctx.input.config);
  const left = successorRecorded
    ? rec.value_status === 'delivered'
      ? 'bound the predecessor'
      : 'deliver a new value of the successor, then bound the predecessor'
    : successorId !== undefined
      ? `adopt the successor ${successorId} it created, roll and deliver its value, then bound the predecessor`
      : 'create the successor, deliver its value, then bound the predecessor';
  const rotation: PlannedRotation = {
    strategy: 'overlap',
    generation: pred.generation + 1,
    graceSeconds: graceSeconds(policy),
    retiredName: pred.cf_name,
    ...(predLive ? { predecessorBody: liveTokenBody(predLive) } : {}),
    successor: successorRecorded ? 'recorded' : successorId !== undefined ? 'adopt' : 'create',
    ...(successorId !== undefined ? { successorId } : {}),
  };
  out.steps.set(
    key,
    makeStep('rotate', {
      address: d.address,
      cfName: d.spec.name,
      targetId: pred.id,
      source: d.source,
      annotations: d.annotations,
      reason: `finish the overlap rotation an interrupted run started at ${pred.rotated_at}: ${left}`,
      diff: [],
      body: successorBody,
      ...(sink ? { sink } : {}),
      rollValue: true,
      rotation,
      ...(intent ? { resolvesIntent: intent.id } : {}),
    }),
  );
  return true;
}

/**
 * A `delete-predecessor` step and the token's own step both write the token's record, so one waits for the other:
 * a new overlap rotation after the old predecessor is gone (it records the next one), anything else first.
 */
export function linkPredecessorSteps(out: PlanOutput): void {
  for (const [key, step] of out.steps) {
    if (step.action !== 'delete-predecessor') continue;
    const own = out.steps.get(key.slice(0, key.length - '\u0000predecessor'.length));
    if (!own || own.action === 'no-op') continue;
    if (own.rotation?.strategy === 'overlap') own.dependsOn.push(step.id);
    else step.dependsOn.push(own.id);
  }
}

/** Predecessors of recorded tokens whose manifests are gone (the desired ones are planned with their token). */
export function planOrphanedPredecessors(ctx: PlanContext, out: PlanOutput): void {
  for (const [key, rec] of ctx.recorded) {
    if (rec.kind === 'AccountToken' && rec.predecessor && !ctx.desiredByKey.has(key)) {
      planPredecessor(ctx, undefined, rec, out, undefined, undefined);
    }
  }
}
