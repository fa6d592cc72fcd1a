/**
 * `apply DIR` (plan and apply in one go) and `apply PLAN` (a saved plan, refused when stale), both under the state
 * lock from the first read to the last journal write, so no other run can change state in between.
 */
import type { App, Target } from '../app.js';
import { canonicalJson, configDigest } from '../config/config-digest.js';
import type { ResolvedConfig } from '../config/types.js';
import type { Logger } from '../effects.js';
import { CfgitopsError, CfgitopsErrors } from '../errors.js';
import type { ApplyResult, ProgressEvent } from '../executor/apply-result.js';
import { assertValueSinksReady } from '../executor/check-value-sinks.js';
import { executePlan } from '../executor/execute-plan.js';
import type { LoadedManifests, ResolvedSecrets } from '../manifest/types.js';
import type { Plan } from '../planner/plan.js';
import { appliedConfigOf } from '../state/applied-config.js';
import type { StateChange, StateDocument, StateLock } from '../state/types.js';
import { sameSecretRef, secretRefOf, uncheckedSecretAddresses } from '../manifest/secret-ref.js';
import { addressKey } from '../resources.js';
import { loadManifestsFor, resolveSecretsFor, SAVED_PLAN_OR_DIR_HINT } from './load.js';
import { preparePlan, type PlanOptions } from './prepare-plan.js';
import { assertPlanCurrent, readSavedPlan } from './saved-plan.js';
import { changedSecrets } from './secret-pins.js';

export interface ApplyRequest extends PlanOptions {
  /** A manifest directory, a file written by `plan --out`, or manifests the caller loaded (the controller). */
  source: { dir: string } | { planFile: string } | { manifests: LoadedManifests };
  emulator: boolean;
  /** Overrides the config's lock timeout. */
  lockTimeoutSeconds?: number;
  concurrency?: number;
  signal?: AbortSignal;
  /** Called once the plan is known and has changes; false stops before anything is sent. */
  confirm(plan: Plan, target: Target): Promise<boolean>;
  /** Called with the plan before confirmation (to show it). */
  showPlan(plan: Plan, target: Target): void;
  onProgress?: (event: ProgressEvent) => void;
}

/** `state`: the document as the run left it, read under the lock (the controller's metrics come from it). */
export type ApplyOutcome =
  | { kind: 'no-changes'; plan: Plan; target: string; state: StateDocument }
  | { kind: 'declined'; plan: Plan; target: string; state: StateDocument }
  | {
      kind: 'applied';
      plan: Plan;
      result: ApplyResult;
      target: string;
      state: StateDocument;
      retries?: Readonly<Record<string, number>>;
      /** The sink and guardrail config is now recorded as applied (the next plan compares against it). */
      configRecorded: boolean;
      /** The Config's account aliases, for showing addresses. */
      accounts: Readonly<Record<string, string>>;
    };

export async function applyWorkflow(app: App, request: ApplyRequest): Promise<ApplyOutcome> {
  const saved = 'planFile' in request.source ? await readSavedPlan(request.source.planFile) : undefined;
  const manifests: LoadedManifests =
    'manifests' in request.source
      ? request.source.manifests
      : await loadManifestsFor(
          app,
          'dir' in request.source ? request.source.dir : (saved?.plan.manifests_dir ?? 'desired-state'),
          { missingHint: SAVED_PLAN_OR_DIR_HINT },
        );
  const secrets = await resolveSecretsFor(app, manifests);
  const target = await app.connect(manifests.config, { emulator: request.emulator, operation: 'apply' });
  try {
    const timeoutSeconds = request.lockTimeoutSeconds ?? manifests.config.lockTimeoutSeconds;
    const lock = await target.state.lock('apply', timeoutSeconds * 1000);
    try {
      let plan: Plan;
      if (saved) {
        // The saved plan pinned the secrets it compared: those read through an applied reference. One from a new
        // reference was shown as "checked at apply" (its reference is in the pinned manifests): read now, not pinned.
        const unchecked = uncheckedSecretAddresses(manifests, lock.current());
        const checked = new Map([...secrets].filter(([address]) => !unchecked.has(address)));
        const changed = saved.pins ? await changedSecrets(saved.pins, checked) : undefined;
        assertPlanCurrent(saved.plan, {
          state: lock.current(),
          manifestsDigest: manifests.digest,
          configDigest: configDigest(manifests.config),
          ...(changed !== undefined ? { changedSecrets: changed } : {}),
          secretCount: checked.size,
        });
        plan = await reviewedPlanMatches(app, target, manifests, secrets, saved.plan, lock.current(), request.signal);
      } else {
        const prepared = await preparePlan(
          app,
          target,
          manifests,
          { trusted: secrets },
          request,
          lock.current(),
          request.signal,
        );
        if (prepared.errors.length > 0) throw new CfgitopsErrors(prepared.errors);
        plan = prepared.plan;
      }
      if (!plan.summary.hasChanges) {
        // Nothing to send, and every secret compared equal through the manifests' references: a state written
        // before references were recorded gets them now, so PR plans compare through them from then on.
        await recordSecretRefs(lock, manifests, app.log);
        return { kind: 'no-changes', plan, target: target.describe, state: lock.current() };
      }
      request.showPlan(plan, target);
      // Before confirmation and before any API write: a value minted into a broken sink would be lost.
      await assertValueSinksReady(plan, target.sinks);
      if (!(await request.confirm(plan, target))) {
        return { kind: 'declined', plan, target: target.describe, state: lock.current() };
      }
      const result = await executePlan(plan, {
        api: target.api,
        lock,
        sinks: target.sinks,
        tsigSecrets: secrets,
        clock: app.clock,
        newId: () => app.newId(),
        log: app.log,
        concurrency: request.concurrency ?? manifests.config.api.concurrency,
        ...(request.signal ? { signal: request.signal } : {}),
        ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      });
      const configRecorded =
        result.ok && result.undelivered.length === 0
          ? await recordAppliedConfig(lock, manifests.config, new Date(app.clock.now()).toISOString(), app.log)
          : false;
      if (result.ok) await recordSecretRefs(lock, manifests, app.log);
      return {
        kind: 'applied',
        plan,
        result,
        target: target.describe,
        state: lock.current(),
        configRecorded,
        accounts: manifests.config.accounts,
        ...(target.retries ? { retries: target.retries() } : {}),
      };
    } finally {
      await lock.release();
    }
  } finally {
    await target.close();
  }
}

/**
 * Only after every step succeeded and every value reached its sink: a config change that broke delivery (a sink
 * pointed somewhere unwritable) stays in the next plan's configuration section. For a saved plan this is the config
 * it was made with, since `assertPlanCurrent` refused any other. A failed write is logged, not thrown: everything
 * else is applied and journaled, and the next plan simply shows the configuration changes again.
 */
async function recordAppliedConfig(
  lock: StateLock,
  config: ResolvedConfig,
  appliedAt: string,
  log: Logger,
): Promise<boolean> {
  const snapshot = appliedConfigOf(config, appliedAt);
  if (lock.current().applied_config?.digest === snapshot.digest) return true;
  try {
    await lock.commit([{ type: 'put-config', config: snapshot }]);
    return true;
  } catch (e) {
    const code = e instanceof CfgitopsError ? e.code : 'E_INTERNAL';
    log.warn({ code }, 'could not record the applied configuration; the next plan shows its changes again');
    return false;
  }
}

/**
 * After every step succeeded, each TSIG's live secret is the one its current reference gives (sent by this apply, or
 * found equal by an earlier plan through the same applied reference): record that reference, so the next plan reads
 * and compares the secret through it (src/manifest/secret-ref.ts). Logged, not thrown, like the config snapshot: the
 * next plan then shows the secret as unchecked again, which is the safe side.
 */
async function recordSecretRefs(lock: StateLock, manifests: LoadedManifests, log: Logger): Promise<void> {
  const state = lock.current();
  const changes: StateChange[] = [];
  for (const r of manifests.resources) {
    if (r.kind !== 'SecondaryDnsTsig') continue;
    const recorded = state.resources[addressKey(r.address)];
    const ref = secretRefOf(r, manifests);
    if (recorded === undefined || sameSecretRef(recorded.secret_ref, ref)) continue;
    changes.push({ type: 'put-resource', resource: { ...recorded, secret_ref: ref } });
  }
  if (changes.length === 0) return;
  try {
    await lock.commit(changes);
  } catch (e) {
    const code = e instanceof CfgitopsError ? e.code : 'E_INTERNAL';
    log.warn({ code }, 'could not record the TSIG secret references; the next plan shows those secrets as unchecked');
  }
}

/**
 * The saved plan is only what a reviewer saw; what gets applied must also be what the manifests and live Cloudflare
 * give now. The file comes from a pull request's job, which runs the pull request's workflow and dependencies: its
 * digests and serial are easy to copy, its steps easy to edit (a peer's `body.ip`, a token's policies). So the plan is
 * made again, under the lock, from the manifests of this checkout, and applied only if its steps and configuration
 * changes are exactly the saved ones — otherwise it is stale (live changed since, or the file was edited) and the merge
 * workflow plans again for approval. Prune follows the saved plan (its deletes were reviewed) and the mass-delete
 * guard is not asked again: both are then checked by the comparison itself.
 */
async function reviewedPlanMatches(
  app: App,
  target: Target,
  manifests: LoadedManifests,
  secrets: ResolvedSecrets,
  saved: Plan,
  state: StateDocument,
  signal: AbortSignal | undefined,
): Promise<Plan> {
  const prune = saved.steps.some((s) => s.action === 'delete');
  const fresh = await preparePlan(app, target, manifests, secrets, { prune, allowMassDelete: true }, state, signal);
  if (fresh.errors.length > 0) throw new CfgitopsErrors(fresh.errors);
  const same =
    canonicalJson(fresh.plan.steps) === canonicalJson(saved.steps) &&
    canonicalJson(fresh.plan.config_changes ?? []) === canonicalJson(saved.config_changes ?? []);
  if (!same) {
    throw new CfgitopsError(
      'E_PLAN_STALE',
      'the saved plan is stale: a plan of the same manifests made now has other steps (live Cloudflare changed since, or the file was edited)',
      { hint: 'run `cfgitops plan --out FILE` again, review it and apply the new plan' },
    );
  }
  return saved;
}

/** Throws when a run was asked to apply without a way to confirm. */
export function nonInteractiveRefusal(): CfgitopsError {
  return new CfgitopsError('E_USAGE', 'apply needs confirmation, but standard input is not a terminal', {
    hint: 'review the plan, then run `cfgitops apply --auto-approve` (or apply a saved plan made with `plan --out`)',
  });
}
