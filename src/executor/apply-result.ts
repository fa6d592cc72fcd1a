/**
 * What `executePlan` needs and what it reports. The result is plain data the CLI summarises (and prints as JSON);
 * it names tokens and sinks but never holds a secret.
 */
import type { CloudflareApi } from '../cloudflare/types.js';
import type { Clock, Logger } from '../effects.js';
import type { CfgitopsError } from '../errors.js';
import type { ResolvedSecrets } from '../manifest/types.js';
import type { PlanStep, StepAction } from '../planner/plan.js';
import type { ResourceAddress } from '../resources.js';
import type { SecretSinks } from '../secrets/types.js';
import type { SinkRef, StateLock } from '../state/types.js';

export type ProgressPhase = 'start' | 'done' | 'failed' | 'skipped';

export interface ProgressEvent {
  step: PlanStep;
  phase: ProgressPhase;
  /** Steps settled so far (done, failed or skipped), including this one when the phase is not `start`. */
  done: number;
  total: number;
}

export interface ExecutorDeps {
  api: CloudflareApi;
  lock: StateLock;
  sinks: SecretSinks;
  tsigSecrets: ResolvedSecrets;
  clock: Clock;
  newId(): string;
  log: Logger;
  /** Steps in flight at once (default 4). */
  concurrency?: number;
  /** SIGINT: no new step starts; running steps finish, journal writes included. */
  signal?: AbortSignal;
  onProgress?(event: ProgressEvent): void;
}

/**
 * - succeeded: the step's changes are live and recorded.
 * - unchanged: a no-op or held step (nothing sent).
 * - failed: `error` says why; `bug` marks an error that was not a CfgitopsError (wrapped as E_INTERNAL).
 * - skipped: never started, because a step it depends on failed or was skipped, or because the run was interrupted
 *   or its state writes failed (`halted`).
 */
export type StepStatus = 'succeeded' | 'unchanged' | 'failed' | 'skipped';

export interface StepOutcome {
  stepId: string;
  action: StepAction;
  address: ResourceAddress;
  status: StepStatus;
  error?: CfgitopsError;
  bug?: boolean;
  skipReason?: 'dependency-failed' | 'halted';
  /** Step ids whose failure (or skipping) kept this one from running. */
  blockedBy?: string[];
}

/** A token whose current value exists only at Cloudflare: the sink write failed. The next apply rolls it. */
export interface UndeliveredValue {
  address: ResourceAddress;
  tokenId: string;
  sink: SinkRef;
  /** `file .cfgitops/secrets.json#ci-deploy` */
  sinkDescription: string;
}

export interface ApplyCounts {
  total: number;
  succeeded: number;
  unchanged: number;
  failed: number;
  skipped: number;
}

export interface ApplyResult {
  /** One per plan step, in plan order. */
  steps: StepOutcome[];
  undelivered: UndeliveredValue[];
  counts: ApplyCounts;
  /** True when nothing failed and nothing was skipped. */
  ok: boolean;
  /** The run stopped early (signal or a failed state write); `skipped` steps with reason `halted` never ran. */
  halted: boolean;
}
