/**
 * Runs async tasks one after another. The executor may commit from several steps at once; each commit must see the
 * previous one's serial, so commits on one lock are queued, not interleaved.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(task);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
