/**
 * Progress for applies and rotations that take more than a few seconds: a bar with an ETA on a terminal, a plain
 * line every so often in CI logs. The ETA comes from the observed rate of finished steps, which already includes
 * the client's pacing under the rate limit (a paced run is slow for that reason, and the ETA says so).
 */
import type { App } from '../app.js';
import type { ProgressEvent } from '../executor/apply-result.js';

const QUIET_MS = 3000;
const PLAIN_EVERY_MS = 10_000;
const BAR_WIDTH = 24;

export interface ProgressReporter {
  onProgress(event: ProgressEvent): void;
  finish(): void;
}

export function progressReporter(app: App, label = 'apply'): ProgressReporter {
  const tty = app.output.isTTY;
  const started = app.clock.now();
  let done = 0;
  let total = 0;
  let lastPlain = started;
  let drawn = false;
  let finished = false;

  const line = (): string => {
    const now = app.clock.now();
    const elapsed = now - started;
    const eta = done > 0 && done < total ? formatDuration((elapsed / done) * (total - done)) : '…';
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
      draw();
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
