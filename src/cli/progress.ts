/**
 * Progress for applies and rotations that take more than a few seconds: a bar with an ETA on a terminal, a plain
 * line every so often in CI logs.
 *
 * The ETA is the larger of two estimates: the observed rate of finished steps so far, and the API calls the
 * remaining steps need at the paced rate (config `api.rateLimit`). The first alone is too hopeful early on, while
 * the pacer's burst lets the first calls through at once; the second alone ignores latency. Both together track a
 * paced run from its first seconds.
 */
import type { App } from '../app.js';
import type { ProgressEvent } from '../executor/apply-result.js';
import type { Plan, PlanStep } from '../planner/plan.js';

const QUIET_MS = 3000;
const PLAIN_EVERY_MS = 10_000;
const BAR_WIDTH = 24;

export interface ProgressReporter {
  onProgress(event: ProgressEvent): void;
  /** The plan being carried out and the paced request rate: lets the ETA account for pacing. */
  expect(plan: Plan, rateLimit: { requests: number; windowSeconds: number }): void;
  finish(): void;
}

/** API calls a step makes (a peer create is a POST then a PUT; an adopt may update and roll). */
export function estimatedCalls(step: PlanStep): number {
  const roll = step.rollValue === true ? 1 : 0;
  switch (step.action) {
    case 'no-op':
    case 'forget':
      return 0;
    case 'create':
      return (step.address.kind === 'SecondaryDnsPeer' ? 2 : 1) + roll;
    case 'replace':
      return 2 + (step.address.kind === 'SecondaryDnsPeer' ? 1 : 0);
    case 'adopt':
      return (step.diff.length > 0 ? 1 : 0) + roll;
    case 'update':
      return 1 + roll;
    case 'delete':
    case 'roll-secret':
      return 1;
  }
}

export function progressReporter(app: App, label = 'apply'): ProgressReporter {
  const tty = app.output.isTTY;
  const started = app.clock.now();
  let done = 0;
  let total = 0;
  let lastPlain = started;
  let drawn = false;
  let finished = false;
  /** Calls still to make, and the paced rate (calls per ms); unknown until `expect` is called. */
  let callsLeft = 0;
  let callsPerMs = 0;
  const callsOf = new Map<string, number>();

  const etaMs = (elapsed: number): number | undefined => {
    if (done >= total) return undefined;
    const observed = done > 0 ? (elapsed / done) * (total - done) : undefined;
    const paced = callsPerMs > 0 ? callsLeft / callsPerMs : undefined;
    if (observed === undefined) return paced;
    return paced === undefined ? observed : Math.max(observed, paced);
  };

  const line = (): string => {
    const now = app.clock.now();
    const elapsed = now - started;
    const remaining = etaMs(elapsed);
    const eta = remaining === undefined ? '…' : formatDuration(remaining);
    const pct = total > 0 ? Math.floor((done / total) * 100) : 0;
    if (!tty) return `${label}: ${done}/${total} steps (${pct}%), elapsed ${formatDuration(elapsed)}, ETA ${eta}`;
    const filled = total > 0 ? Math.round((done / total) * BAR_WIDTH) : 0;
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${done}/${total} ETA ${eta}`;
  };

  const draw = (): void => {
    if (finished || total === 0) return;
    const now = app.clock.now();
    if (now - started < QUIET_MS) return;
    if (tty) {
      app.output.err(`\r${line()}\u001b[K`);
      drawn = true;
    } else if (now - lastPlain >= PLAIN_EVERY_MS) {
      lastPlain = now;
      app.output.err(`${line()}\n`);
    }
  };

  const timer = setInterval(draw, tty ? 250 : 1000);
  timer.unref();

  return {
    onProgress(event) {
      done = event.done;
      total = event.total;
      if (event.phase !== 'start') callsLeft = Math.max(0, callsLeft - (callsOf.get(event.step.id) ?? 0));
      draw();
    },
    expect(plan, rateLimit) {
      callsOf.clear();
      for (const step of plan.steps) callsOf.set(step.id, estimatedCalls(step));
      callsLeft = [...callsOf.values()].reduce((a, b) => a + b, 0);
      callsPerMs = rateLimit.windowSeconds > 0 ? rateLimit.requests / (rateLimit.windowSeconds * 1000) : 0;
    },
    finish() {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      if (drawn) app.output.err(`\r${line()}\u001b[K\n`);
    },
  };
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
