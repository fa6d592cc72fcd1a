/**
 * What every kind's executor reads off a step: its planned body (each kind turns it into the request it sends, in
 * src/kinds/<kind>/execute.ts) and the Cloudflare-side name the body sets.
 */
import type { PlannedBody } from '../planner/plan.js';
import { planBug, type StepContext } from './step-context.js';

type BodyOf<K extends PlannedBody['kind']> = Extract<PlannedBody, { kind: K }>;

export function plannedBody<K extends PlannedBody['kind']>(ctx: StepContext, kind: K): BodyOf<K> {
  const body = ctx.step.body;
  if (body?.kind !== kind) throw planBug(ctx, `has no ${kind} body`);
  return body as BodyOf<K>;
}

/** The Cloudflare-side name the step's body sets (falls back to the step's `cfName`). */
export function cfNameOf(ctx: StepContext): string {
  const body = ctx.step.body;
  if (!body) return ctx.step.cfName;
  // A token's body wraps the API body; every other kind's planned body carries `name` itself.
  return 'name' in body ? body.name : body.body.name;
}
