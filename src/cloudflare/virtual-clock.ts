/**
 * A Clock whose time moves only when every participant is waiting on it: timers fire in due order, and time jumps
 * to the next one only while nothing holds the clock (a request in flight takes a hold). Shared by a client and the
 * emulator, it lets tests and benchmarks run minutes of rate-limited traffic in milliseconds, with the same
 * arithmetic as real time. Not used by cfgitops runs themselves.
 */
import type { Clock } from '../effects.js';

interface Timer {
  due: number;
  seq: number;
  resolve: () => void;
}

export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #holds = 0;
  #scheduled = false;
  readonly #timers: Timer[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Milliseconds advanced so far by waiting. */
  elapsedSince(start: number): number {
    return this.#now - start;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        return;
      }
      const timer: Timer = { due: this.#now + Math.max(0, ms), seq: this.#seq++, resolve };
      const onAbort = (): void => {
        const i = this.#timers.indexOf(timer);
        if (i >= 0) this.#timers.splice(i, 1);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      timer.resolve = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.#timers.push(timer);
      this.#schedule();
    });
  }

  /** Keeps time still until the returned release is called (e.g. while an HTTP exchange is in flight). */
  hold(): () => void {
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      this.#schedule();
    };
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // Two turns of the event loop: woken waiters get to run their promise chains (and take holds) first.
    setImmediate(() =>
      setImmediate(() => {
        this.#scheduled = false;
        this.#tick();
      }),
    );
  }

  #tick(): void {
    if (this.#holds > 0 || this.#timers.length === 0) return;
    this.#timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
    const next = this.#timers[0]!;
    this.#now = Math.max(this.#now, next.due);
    while (this.#timers.length > 0 && this.#timers[0]!.due <= this.#now) this.#timers.shift()!.resolve();
    this.#schedule();
  }
}
