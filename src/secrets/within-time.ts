/**
 * A time limit for sink writes that have none of their own (file and age go through the filesystem: an NFS mount or
 * a FUSE-backed home directory can hang forever, and an apply stuck there holds the state lock). The write itself
 * cannot be cancelled, but it is atomic (temp file + rename), so one that finishes late leaves a complete file — the
 * token is recorded `undelivered` either way and the next apply re-delivers.
 */
import type { Clock } from '../effects.js';

/** Default limit for one file or age write. */
export const SINK_WRITE_TIMEOUT_MS = 60_000;

export async function withinTime<T>(clock: Clock, ms: number, work: Promise<T>, timedOut: () => Error): Promise<T> {
  const timer = new AbortController();
  const deadline = clock.sleep(ms, timer.signal).then(
    () => {
      throw timedOut();
    },
    // Cancelled because the work settled first: never settle, so the race is decided by the work alone.
    () => new Promise<never>(() => undefined),
  );
  try {
    return await Promise.race([work, deadline]);
  } finally {
    timer.abort();
  }
}
