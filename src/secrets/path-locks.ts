/**
 * Serializes read-modify-write cycles on one file: the executor delivers several tokens at once, and two puts into the
 * same secrets file must not both read the old content and the second rename win (losing the first key).
 */
export class PathLocks {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `fn` after every earlier `run` on the same path has settled. */
  async run<T>(path: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(path) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    const tail = result.catch(() => undefined);
    this.#tails.set(path, tail);
    try {
      return await result;
    } finally {
      // Forget the chain once nothing is queued behind us, so the map does not grow with every path ever written.
      if (this.#tails.get(path) === tail) this.#tails.delete(path);
    }
  }
}
