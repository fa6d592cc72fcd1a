/**
 * SIGINT (Ctrl-C) and SIGTERM (`kill`, CI cancellation, a container stopping) end a state-changing run the same way:
 * no new step starts, the steps in flight finish and are journaled, the state lock is released, and the command
 * exits 1 saying it was interrupted. Dying at once instead would leave the lock behind and a step half-recorded
 * (the journal makes that recoverable, but the next run should not have to). A second signal of either kind gets
 * Node's default handling: the user asked twice, so the process ends now.
 */
import { setMaxListeners } from 'node:events';
import type { Output } from '../effects.js';

export const INTERRUPT_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type InterruptSignal = (typeof INTERRUPT_SIGNALS)[number];

/** The part of `process` this needs, so tests can send signals to a fake. */
export interface SignalSource {
  on(event: InterruptSignal, listener: () => void): unknown;
  off(event: InterruptSignal, listener: () => void): unknown;
}

export interface InterruptHandle {
  /** Aborted on the first signal; hand it to the workflow. */
  readonly signal: AbortSignal;
  /** The signal that interrupted the run, if one did. */
  interruptedBy(): InterruptSignal | undefined;
  /** Removes the handlers (always call it, in a `finally`). */
  dispose(): void;
}

/** `what`: the work that finishes before the run stops, e.g. `steps` or `rolls`. */
export function handleInterrupts(
  output: Pick<Output, 'err'>,
  what: string,
  source: SignalSource = process,
): InterruptHandle {
  const controller = new AbortController();
  // Every step waiting on the pacer or a retry listens to this one signal: a thousand-step apply has more than
  // Node's default of 10 listeners by design, not by leak.
  setMaxListeners(0, controller.signal);
  let by: InterruptSignal | undefined;
  const listeners = INTERRUPT_SIGNALS.map((name) => {
    const listener = (): void => {
      by = name;
      dispose();
      output.err(
        `\nInterrupted (${name}): finishing the ${what} in flight and recording them; interrupt again to force.\n`,
      );
      controller.abort(new Error(`interrupted by ${name}`));
    };
    return [name, listener] as const;
  });
  let disposed = false;
  function dispose(): void {
    if (disposed) return;
    disposed = true;
    for (const [name, listener] of listeners) source.off(name, listener);
  }
  for (const [name, listener] of listeners) source.on(name, listener);
  return { signal: controller.signal, interruptedBy: () => by, dispose };
}

/** The last line of an interrupted run; the command then exits 1 whatever else happened. */
export function interruptedNotice(by: InterruptSignal, command: string): string {
  return `Interrupted by ${by}: the steps that ran are recorded in state and the lock is released; run ${command} again to finish.\n`;
}
