/**
 * The executor's only way to write state: serializes commits on a StateLock (which need not be concurrency-safe)
 * and remembers a failed commit, after which the run must stop starting steps — their results could not be recorded.
 */
import { CfgitopsError, isCfgitopsError } from '../errors.js';
import type { StateChange, StateDocument, StateLock } from '../state/types.js';

export class Journal {
  readonly #lock: StateLock;
  #tail: Promise<unknown> = Promise.resolve();
  #broken: CfgitopsError | undefined;

  constructor(lock: StateLock) {
    this.#lock = lock;
  }

  /** The state as of the last commit. */
  current(): StateDocument {
    return this.#lock.current();
  }

  /** Set once any commit failed. */
  get broken(): CfgitopsError | undefined {
    return this.#broken;
  }

  /** Commits `changes` as one atomic, durable write, after every earlier commit of this run has settled. */
  commit(changes: readonly StateChange[]): Promise<StateDocument> {
    const next = this.#tail.then(() => this.#commitNow(changes));
    this.#tail = next.catch(() => undefined);
    return next;
  }

  async #commitNow(changes: readonly StateChange[]): Promise<StateDocument> {
    if (this.#broken) {
      throw new CfgitopsError('E_STATE_IO', 'an earlier state write of this run failed; nothing more is recorded', {
        cause: this.#broken,
      });
    }
    try {
      return await this.#lock.commit(changes);
    } catch (e) {
      this.#broken = isCfgitopsError(e) ? e : new CfgitopsError('E_STATE_IO', 'the state write failed', { cause: e });
      throw this.#broken;
    }
  }
}
