/**
 * `cfgitops controller`: a loop that keeps Cloudflare matching a manifest source, the way Flux or Argo CD users
 * expect. It runs one cycle at a time (runCycle: the CLI's workflows, unchanged) when
 *
 *   - the source's commit changed (the source is synced every `sourceIntervalMs`),
 *   - the interval passed since the last cycle (with jitter) — this is what repairs drift made out of band,
 *   - a verified push webhook or POST /reconcile asked (coalesced: a request during a cycle runs one more after it),
 *   - after a failure, with capped exponential backoff (a failure never postpones the next try by more than the cap,
 *     and a cycle that hangs is aborted at `cycleTimeoutMs`).
 *
 * Only the leader runs cycles (leadership.ts); every replica serves /healthz, /readyz, /metrics and /status. On
 * shutdown (the `signal`) the cycle in flight is aborted the way SIGTERM aborts `apply`: no new step starts, the
 * steps in flight finish and are journaled, the state lock is released; then leadership is given up.
 */
import type { App } from '../app.js';
import { CfgitopsError, type CfgitopsErrorJson } from '../errors.js';
import { secretScrubber } from '../secret.js';
import { loadManifestsFor } from '../workflow/load.js';
import { createControllerMetrics } from './controller-metrics.js';
import { errorsOf, type ControllerMode, type CycleReport, type CycleTrigger } from './cycle-report.js';
import { startHttpServer, type ControllerView, type Role } from './http-server.js';
import type { Leadership } from './leadership.js';
import type { ManifestSource, SourceRevision } from './manifest-source.js';
import { readiness, type Readiness } from './readiness.js';
import { runCycle, type CycleSettings } from './run-cycle.js';
import { nextDelayMs, type ScheduleSettings } from './schedule.js';
import type { StateBackendConfig } from '../config/types.js';

export interface ControllerRequest extends ScheduleSettings {
  source: ManifestSource;
  /** The branch a push must name (git sources). */
  branch?: string;
  mode: ControllerMode;
  emulator: boolean;
  sourceIntervalMs: number;
  cycleTimeoutMs: number;
  /** /readyz fails once cycles have been failing for longer than this. */
  failingThresholdMs: number;
  lockTimeoutSeconds?: number;
  rotateAfterMs: number;
  listen: { host: string; port: number };
  /** Read on each delivery, so a rotated secret file is picked up. */
  webhookSecret: () => Promise<string | undefined>;
  /** Leadership for the state backend the manifests' Config names. */
  leadershipFor: (state: StateBackendConfig) => Leadership;
  apiBasePath: string;
  /** Aborted on SIGTERM / SIGINT. */
  signal: AbortSignal;
  onListening?: (url: string) => void;
}

export async function runController(app: App, request: ControllerRequest): Promise<void> {
  const loop = new ControllerLoop(app, request);
  return loop.run();
}

class ControllerLoop {
  readonly #app: App;
  readonly #r: ControllerRequest;
  readonly #metrics;
  #role: Role = 'starting';
  #leadership: Leadership | undefined;
  #leadershipKey: string | undefined;
  #wake = new AbortController();
  #pending: CycleTrigger | undefined;
  #cycleAbort: AbortController | undefined;
  #cycles = 0;
  #revision: SourceRevision | undefined;
  #sourceErrors: CfgitopsErrorJson[] = [];
  #reconciledCommit: string | undefined;
  /** The commit whose Config chose the current leader election. */
  #electedCommit: string | undefined;
  #last: CycleReport | undefined;
  #lastSuccess: CycleReport | undefined;
  #failures = 0;
  #failingSince: number | undefined;
  #nextCycleAt = 0;
  #nextSyncAt = 0;
  readonly #startedAt: number;

  constructor(app: App, request: ControllerRequest) {
    this.#app = app;
    this.#r = request;
    this.#metrics = createControllerMetrics({ apiBasePath: request.apiBasePath });
    this.#startedAt = app.clock.now();
  }

  async run(): Promise<void> {
    const { signal } = this.#r;
    const server = await startHttpServer(this.#view(), this.#r.listen, this.#app.log);
    this.#r.onListening?.(server.url);
    const onShutdown = (): void => {
      this.#cycleAbort?.abort(
        new CfgitopsError(
          'E_ABORTED',
          'the controller is shutting down: steps in flight finished, no new step started',
        ),
      );
      this.#wake.abort();
    };
    signal.addEventListener('abort', onShutdown, { once: true });
    try {
      this.#pending = 'startup';
      while (!signal.aborted) await this.#tick();
    } finally {
      signal.removeEventListener('abort', onShutdown);
      await this.#leadership?.stop();
      this.#metrics.setLeader(false);
      await server.close();
      this.#metrics.close();
      this.#app.log.info('controller stopped');
    }
  }

  async #tick(): Promise<void> {
    const now = this.#app.clock.now();
    const cycleDue = this.#role === 'leader' && (this.#pending !== undefined || now >= this.#nextCycleAt);
    if (cycleDue || now >= this.#nextSyncAt) {
      await this.#sync();
      if (this.#r.signal.aborted) return;
    }
    const commitMoved =
      this.#revision?.commit !== undefined &&
      this.#revision.commit !== this.#reconciledCommit &&
      this.#last !== undefined;
    if (this.#role === 'leader' && this.#revision && (cycleDue || commitMoved)) {
      const trigger: CycleTrigger =
        this.#pending ?? (commitMoved ? 'revision' : this.#failures > 0 ? 'retry' : 'interval');
      this.#pending = undefined;
      await this.#cycle(trigger, this.#revision);
      return;
    }
    await this.#sleepUntil(this.#role === 'leader' ? Math.min(this.#nextCycleAt, this.#nextSyncAt) : this.#nextSyncAt);
  }

  /** Brings the source up to date; on the first success (and when the Config's state backend moves) elects. */
  async #sync(): Promise<void> {
    const { clock } = this.#app;
    this.#nextSyncAt = clock.now() + this.#r.sourceIntervalMs;
    try {
      this.#revision = await this.#r.source.sync(this.#r.signal);
      this.#sourceErrors = [];
      this.#metrics.recordSourceSync(true);
    } catch (e) {
      if (this.#r.signal.aborted) return;
      this.#sourceErrors = errorsOf(e);
      this.#metrics.recordSourceSync(false);
      this.#app.log.warn({ errors: this.#sourceErrors }, `cannot sync ${this.#r.source.describe}`);
      if (this.#role !== 'leader') this.#backOffSync();
      return;
    }
    if (this.#leadership === undefined || this.#revision.commit !== this.#electedCommit) {
      await this.#elect(this.#revision);
    }
  }

  /** Before any leadership, a broken source or Config is retried with the same backoff as failed cycles. */
  #backOffSync(): void {
    this.#failures++;
    this.#failingSince ??= this.#app.clock.now();
    this.#nextSyncAt = this.#app.clock.now() + nextDelayMs(this.#r, this.#failures, this.#app.random());
  }

  /** Leadership follows the Config's state backend: loaded once per commit, re-elected only when it changed. */
  async #elect(revision: SourceRevision): Promise<void> {
    let state: StateBackendConfig;
    try {
      const manifests = await loadManifestsFor(this.#app, revision.dir);
      state = this.#r.emulator ? { backend: 'file', path: 'emulator' } : manifests.config.state;
      this.#electedCommit = revision.commit;
    } catch (e) {
      if (this.#leadership) return; // the cycle reports the broken manifests
      this.#sourceErrors = errorsOf(e);
      this.#app.log.warn({ errors: this.#sourceErrors }, 'cannot read the Config to choose the leader election');
      this.#backOffSync();
      return;
    }
    const key = JSON.stringify(state);
    if (key === this.#leadershipKey) return;
    if (this.#leadership) {
      this.#app.log.warn('the Config names another state backend: restarting the leader election');
      this.#cycleAbort?.abort(new CfgitopsError('E_LEADERSHIP_LOST', 'the state backend changed'));
      await this.#leadership.stop();
    }
    this.#leadershipKey = key;
    const leadership = this.#r.leadershipFor(state);
    this.#leadership = leadership;
    this.#role = 'standby';
    this.#failures = 0;
    this.#failingSince = undefined;
    this.#app.log.info(
      { leadership: leadership.describe, source: this.#r.source.describe },
      'campaigning for leadership',
    );
    leadership.start(
      (leader) => {
        if (this.#leadership !== leadership) return;
        this.#role = leader ? 'leader' : 'standby';
        this.#metrics.setLeader(leader);
        if (leader) {
          this.#nextCycleAt = 0;
          this.#pending ??= 'startup';
        } else {
          this.#cycleAbort?.abort(
            new CfgitopsError(
              'E_LEADERSHIP_LOST',
              'leadership was lost (its PostgreSQL session ended) during the cycle',
            ),
          );
        }
        this.#wake.abort();
      },
      () => {
        this.#trigger('webhook');
      },
    );
  }

  async #cycle(trigger: CycleTrigger, revision: SourceRevision): Promise<void> {
    const abort = new AbortController();
    this.#cycleAbort = abort;
    const timer = setTimeout(() => {
      abort.abort(new CfgitopsError('E_ABORTED', `the cycle took longer than --cycle-timeout; it was stopped`));
    }, this.#r.cycleTimeoutMs);
    const settings: CycleSettings = {
      mode: this.#r.mode,
      emulator: this.#r.emulator,
      rotateAfterMs: this.#r.rotateAfterMs,
      ...(this.#r.lockTimeoutSeconds !== undefined ? { lockTimeoutSeconds: this.#r.lockTimeoutSeconds } : {}),
    };
    let report: CycleReport;
    try {
      this.#cycles++;
      this.#app.log.info(
        { cycle: this.#cycles, trigger, revision: revision.commit, mode: this.#r.mode },
        'cycle started',
      );
      report = await runCycle(this.#app, settings, {
        cycle: this.#cycles,
        trigger,
        source: revision,
        signal: abort.signal,
      });
    } finally {
      clearTimeout(timer);
      this.#cycleAbort = undefined;
    }
    const now = this.#app.clock.now();
    this.#last = report;
    if (report.result === 'failed') {
      this.#failures++;
      this.#failingSince ??= Date.parse(report.startedAt);
    } else {
      this.#failures = 0;
      this.#failingSince = undefined;
      this.#lastSuccess = report;
      this.#reconciledCommit = revision.commit;
    }
    // A failed cycle of this commit is retried by the backoff, not again at once because "the commit moved".
    if (report.result === 'failed') this.#reconciledCommit = revision.commit;
    this.#metrics.recordCycle(report);
    this.#metrics.setConsecutiveFailures(this.#failures);
    this.#nextCycleAt = now + nextDelayMs(this.#r, this.#failures, this.#app.random());
    const line = {
      cycle: report.cycle,
      result: report.result,
      durationMs: report.durationMs,
      drifted: report.drifted,
      pending: report.pending,
      ...(report.applied ? { applied: report.applied } : {}),
      ...(report.errors.length > 0 ? { errors: report.errors.map((e) => ({ code: e.code, message: e.message })) } : {}),
      nextInMs: this.#nextCycleAt - now,
    };
    if (report.result === 'failed') this.#app.log.warn(line, 'cycle failed');
    else this.#app.log.info(line, 'cycle finished');
  }

  #trigger(trigger: CycleTrigger): void {
    this.#pending ??= trigger;
    this.#wake.abort();
  }

  async #sleepUntil(at: number): Promise<void> {
    const ms = Math.max(0, at - this.#app.clock.now());
    if (this.#wake.signal.aborted) this.#wake = new AbortController();
    if (this.#pending !== undefined && this.#role === 'leader') return;
    await this.#app.clock.sleep(ms, this.#wake.signal).catch(() => undefined);
    if (this.#wake.signal.aborted) this.#wake = new AbortController();
  }

  #readiness(): Readiness {
    return readiness(
      {
        role: this.#role,
        leadership: this.#leadership?.describe,
        startErrors: this.#sourceErrors.map((e) => e.code),
        lastFinishedAt: this.#last === undefined ? undefined : Date.parse(this.#last.finishedAt),
        cycleRunning: this.#cycleAbort !== undefined,
        consecutiveFailures: this.#failures,
        failingSince: this.#failingSince,
      },
      this.#r,
      this.#app.clock.now(),
    );
  }

  #view(): ControllerView {
    return {
      readiness: () => this.#readiness(),
      status: () => this.#status(),
      metrics: this.#metrics,
      branch: this.#r.branch,
      webhookSecret: this.#r.webhookSecret,
      requestCycle: async (trigger) => {
        if (this.#role === 'leader') {
          this.#trigger(trigger);
          return 'queued';
        }
        const forwarded = (await this.#leadership?.nudge()) === true;
        return forwarded ? 'forwarded' : 'no-leader';
      },
    };
  }

  #status(): unknown {
    const iso = (t: number): string => new Date(t).toISOString();
    const status = {
      role: this.#role,
      leadership: this.#leadership?.describe,
      mode: this.#r.mode,
      source: this.#r.source.describe,
      revision: this.#revision?.commit,
      ...(this.#sourceErrors.length > 0 ? { sourceErrors: this.#sourceErrors } : {}),
      intervalSeconds: this.#r.intervalMs / 1000,
      startedAt: iso(this.#startedAt),
      cycleRunning: this.#cycleAbort !== undefined,
      nextCycleAt: this.#role === 'leader' && this.#nextCycleAt > 0 ? iso(this.#nextCycleAt) : undefined,
      consecutiveFailures: this.#failures,
      failingSince: this.#failingSince === undefined ? undefined : iso(this.#failingSince),
      suspended: this.#last?.suspended,
      lastCycle: this.#last,
      lastSuccessfulCycle: this.#lastSuccess
        ? {
            cycle: this.#lastSuccess.cycle,
            result: this.#lastSuccess.result,
            finishedAt: this.#lastSuccess.finishedAt,
            revision: this.#lastSuccess.revision,
          }
        : undefined,
    };
    // Plans, reports and errors hold no secret by construction; this is the last of the layers.
    return JSON.parse(secretScrubber.scrub(JSON.stringify(status))) as unknown;
  }
}
