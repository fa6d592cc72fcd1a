/** Node's exit code when the event loop empties while a top-level await is still pending. */
export const UNSETTLED_EXIT_CODE = 13;

export interface ExitEmitter {
  once(event: 'exit', listener: (code: number) => void): unknown;
  off(event: 'exit', listener: (code: number) => void): unknown;
  exitCode?: number | string | null | undefined;
  stderr: { write(s: string): unknown };
}

/**
 * A run whose promise can never settle (something waits on an event that will not come, e.g. a request stuck in an
 * HTTP pool) ends when the event loop empties: bin/cfgitops.js's top-level await is left pending and Node exits 13
 * without a word. An exit while a run is pending says so, as the bug it is. Returns the release to call once the
 * run settled. (The listener's `code` argument is 0 in that case; Node has already put 13 in `process.exitCode`.)
 */
export function guardPendingExit(proc: ExitEmitter = process): () => void {
  const onExit = (code: number): void => {
    const final = Number(proc.exitCode ?? code);
    // Other codes come from an uncaught exception, whose stack Node has already printed.
    if (final !== 0 && final !== UNSETTLED_EXIT_CODE) return;
    proc.exitCode = UNSETTLED_EXIT_CODE;
    proc.stderr.write(
      'internal error: the run ended with work still pending (this is a bug in cfgitops, please report it)\n',
    );
  };
  proc.once('exit', onExit);
  return () => void proc.off('exit', onExit);
}
