/**
 * What one step's code gets to work with, and the small rules every step shares (reading its record, the
 * prevent-destroy flag, whether a failed create or roll can have happened anyway).
 */
import type { CloudflareApi } from '../cloudflare/types.js';
import type { Logger } from '../effects.js';
import { isCloudflareApiError } from '../cloudflare/api-error.js';
import { CfgitopsError } from '../errors.js';
import type { ResolvedSecrets } from '../manifest/types.js';
import type { PlanStep } from '../planner/plan.js';
import { ANNOTATION_PREVENT_DESTROY } from '../resources.js';
import type { SecretSinks } from '../secrets/types.js';
import type { RecordedResource, SinkRef } from '../state/types.js';
import type { UndeliveredValue } from './apply-result.js';
import type { Journal } from './journal.js';

export interface StepContext {
  step: PlanStep;
  /** `addressKey(step.address)`: the key of the step's record in state. */
  key: string;
  api: CloudflareApi;
  journal: Journal;
  sinks: SecretSinks;
  tsigSecrets: ResolvedSecrets;
  /** ISO time from the injected clock. */
  now(): string;
  newId(): string;
  log: Logger;
  /** Reports a token whose value could not be delivered (for the apply result). */
  undelivered(value: UndeliveredValue): void;
}

export function recordOf(ctx: StepContext): RecordedResource | undefined {
  return ctx.journal.current().resources[ctx.key];
}

export function requireRecord(ctx: StepContext): RecordedResource {
  const rec = recordOf(ctx);
  if (!rec) {
    throw new CfgitopsError(
      'E_STATE_NOT_FOUND',
      `${ctx.key} is not recorded in state, so ${ctx.step.action} cannot run`,
      {
        hint: 'the state changed since the plan was made: run plan again',
      },
    );
  }
  return rec;
}

/** The Cloudflare id a step acts on: the plan's, else the recorded one. */
export function targetIdOf(ctx: StepContext, rec: RecordedResource | undefined): string {
  const id = ctx.step.targetId ?? rec?.id;
  if (id === undefined) throw planBug(ctx, 'names no Cloudflare id to act on');
  return id;
}

export function sinkRefOf(ctx: StepContext, rec?: RecordedResource): SinkRef {
  const ref = ctx.step.sink ?? rec?.sink;
  if (!ref) throw planBug(ctx, 'names no secret sink for the token value');
  return ref;
}

/**
 * The annotation decides; the state keeps a copy so a delete stays blocked once the manifest is gone. A step that
 * carries no annotations at all (a delete, a forget) says nothing about it, so the recorded flag stays.
 */
export function withPreventDestroy(ctx: StepContext, rec: RecordedResource): RecordedResource {
  if (ctx.step.annotations === undefined) return rec;
  const { prevent_destroy: _old, ...rest } = rec;
  return ctx.step.annotations?.[ANNOTATION_PREVENT_DESTROY] === 'true' ? { ...rest, prevent_destroy: true } : rest;
}

export function planBug(ctx: StepContext, what: string): CfgitopsError {
  return new CfgitopsError('E_INTERNAL', `plan step ${ctx.step.id} ${what}`, {
    hint: 'this is a bug in cfgitops; please report it with the saved plan (it holds no secrets)',
  });
}

/**
 * True when a failed create or roll certainly did not happen (the client says so: never sent, or refused before
 * processing). Anything else — a timeout, a dropped connection, a 5xx — may have landed, so its journal intent stays
 * for the next plan to resolve by name.
 */
export function certainlyNotApplied(e: unknown): boolean {
  return isCloudflareApiError(e) && !e.mayHaveApplied;
}
