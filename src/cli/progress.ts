/**
 * Progress for applies and rotations that take more than a moment: on a terminal, a live bar (cli-progress) kept
 * below everything else written (logs and results go above it: src/terminal.ts); elsewhere (CI logs), a plain line
 * every so often.
 *
 * The ETA is the larger of two estimates: the observed rate of finished steps so far, and when the pacer lets the
 * API calls the remaining steps need start (its real schedule: what is left of the window goes at once, the rest as
 * slots come back; without a pacer, config `api.rateLimit` as a fixed rate). The first alone is too hopeful while
 * the window's budget lets the first calls through at once; the second alone ignores latency. Both together track
 * a paced run from its first seconds, and a run that fits in the quota by its observed rate alone.
 */
import type { SingleBar } from 'cli-progress';
import { cliProgress } from '../lazy-require.js';
import type { App } from '../app.js';
import type { PacedRate } from '../cloudflare/pacer.js';
import type { LiveHost, LiveRegion } from '../effects.js';
import type { ProgressEvent } from '../executor/apply-result.js';
import { kindOf } from '../kinds/registry.js';
import type { Plan, PlanStep } from '../planner/plan.js';

/** Runs shorter than this show no progress at all: the summary follows at once. */
const QUIET_MS = 1000;
const PLAIN_EVERY_MS = 10_000;

export interface ProgressReporter {
  onProgress(event: ProgressEvent): void;
  /** The plan being carried out and the paced request rate: lets the ETA account for pacing. */
  expect(plan: Plan, rateLimit: PacedRate): void;
  finish(): void;
}

/** API calls a step makes (a peer create is a POST then a PUT; an adopt may update and roll). */
export function estimatedCalls(step: PlanStep): number {
  const roll = step.rollValue === true ? 1 : 0;
  switch (step.action) {
    case 'no-op':
    case 'held':
    case 'forget':
      return 0;
    case 'create':
      return createCalls(step) + roll;
    case 'replace':
    case 'replace-exposed':
      return 1 + createCalls(step);
    case 'adopt':
      return (step.diff.length > 0 ? 1 : 0) + roll;
    case 'update':
      return 1 + roll;
    case 'delete':
    case 'delete-predecessor':
    case 'roll-secret':
      return 1;
    case 'remove-old-value':
      // A sink call, no Cloudflare request.
      return 0;
    case 'rotate':
      // overlap: rename, create, bound (and a roll when adopting the successor); roll: the roll (and a PUT on drift).
      return step.rotation?.strategy === 'overlap'
        ? 3 + (step.rotation.successor === 'adopt' ? 1 : 0)
        : 1 + (step.body !== undefined ? 1 : 0);
  }
}

/** A kind's create calls, plus the status PUT of a token created `disabled` (the create takes no status). */
function createCalls(step: PlanStep): number {
  const body = step.body;
  const statusPut = body?.kind === 'AccountToken' && body.body.status === 'disabled' ? 1 : 0;
  return kindOf(step.address.kind).createCalls + statusPut;
}

export function progressReporter(app: App, label = 'apply'): ProgressReporter {
  const live = app.output.live;
  // Timing starts with the first step, not when the reporter is made: planning, and a person reading the plan before
  // answering the confirmation, are not part of the apply.
  let started: number | undefined;
  let done = 0;
  let total = 0;
  let lastPlain = 0;
  let finished = false;
  let bar: TerminalBar | undefined;
  /** Calls still to make, and the paced rate (calls per ms); unknown until `expect` is called. */
  let callsLeft = 0;
  let callsPerMs = 0;
  let scheduleMs: ((calls: number) => number) | undefined;
  const callsOf = new Map<string, number>();

  const etaMs = (elapsed: number): number | undefined => {
    if (done >= total) return undefined;
    const observed = done > 0 ? (elapsed / done) * (total - done) : undefined;
    const paced = scheduleMs ? scheduleMs(callsLeft) : callsPerMs > 0 ? callsLeft / callsPerMs : undefined;
    if (observed === undefined) return paced;
    return paced === undefined ? observed : Math.max(observed, paced);
  };
  const elapsedMs = (): number => (started === undefined ? 0 : app.clock.now() - started);
  const etaText = (): string => {
    if (done >= total) return '0s';
    const remaining = etaMs(elapsedMs());
    return remaining === undefined ? '…' : formatDuration(remaining);
  };

  const plainLine = (): string => {
    const elapsed = elapsedMs();
    const pct = total > 0 ? Math.floor((done / total) * 100) : 0;
    return `${label}: ${done}/${total} steps (${pct}%), elapsed ${formatDuration(elapsed)}, ETA ${etaText()}`;
  };

  const draw = (): void => {
    if (finished || total === 0 || started === undefined) return;
    const now = app.clock.now();
    if (now - started < QUIET_MS) return;
    if (live) {
      bar ??= terminalBar(live, label, total);
      bar.set(done, total, etaText());
    } else if (now - lastPlain >= PLAIN_EVERY_MS) {
      lastPlain = now;
      app.output.err(`${plainLine()}\n`);
    }
  };

  const timer = setInterval(draw, live ? 250 : 1000);
  timer.unref();

  return {
    onProgress(event) {
      if (started === undefined) {
        started = app.clock.now();
        lastPlain = started;
      }
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
      scheduleMs = rateLimit.scheduleMs;
    },
    finish() {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      // The bar's last state stays on screen: 100 % after a full run, where it stopped after an interrupt.
      bar?.stop(done, total, etaText());
    },
  };
}

interface TerminalBar {
  set(done: number, total: number, eta: string): void;
  stop(done: number, total: number, eta: string): void;
}

/**
 * cli-progress on the live line. MultiBar (with one bar) rather than SingleBar: it moves the cursor relatively, where
 * SingleBar saves and restores an absolute position that is wrong once lines were written above the bar.
 * `forceRedraw`: the bar is redrawn after every write above it, even when its text did not change. Line wrapping and
 * the cursor are left alone (no terminal modes to restore), so a run killed mid-bar leaves no broken terminal.
 */
function terminalBar(live: LiveHost, label: string, total: number): TerminalBar {
  const multibar = new (cliProgress().MultiBar)({
    stream: live.stream as unknown as NodeJS.WritableStream,
    format: `${label} [{bar}] {percentage}% | {value}/{total} steps | ETA {etaText}`,
    barCompleteChar: '#',
    barIncompleteChar: '-',
    barsize: 30,
    fps: 10,
    forceRedraw: true,
    // true: the bar is cut to the terminal's width instead of switching line wrapping off (DECAWM) and back.
    linewrap: true,
    hideCursor: false,
    gracefulExit: false,
    clearOnComplete: false,
  });
  const bar: SingleBar = multibar.create(total, 0, { etaText: '…' });
  const region: LiveRegion = {
    redraw: () => {
      multibar.update();
    },
  };
  live.attach(region);
  return {
    set(done, newTotal, eta) {
      if (newTotal !== bar.getTotal()) bar.setTotal(newTotal);
      bar.update(done, { etaText: eta });
    },
    stop(done, newTotal, eta) {
      this.set(done, newTotal, eta);
      live.detach(region);
      multibar.update();
      multibar.stop();
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
