/**
 * The executor's only way to write state. The StateLock need not be concurrency-safe, so commits are serialized
 * here; and because every commit is a durable write (fsync, or a DB transaction) and steps run concurrently, the
 * changes that queue up while one commit is in flight are written together as the next one ("group commit"). Each
 * caller's changes stay atomic and in order — they land whole in one commit — and its promise settles only when
 * that commit is durable. A failed commit is remembered: the run must stop starting steps whose results could not
 * be recorded.
 */
import { CfgitopsError, isCfgitopsError } from '../errors.js';
import type { StateChange, StateDocument, StateLock } from '../state/types.js';

interface Waiter {
  changes: readonly StateChange[];
  resolve(doc: StateDocument): void;
  reject(e: unknown): void;
}

export class Journal {
  readonly #lock: StateLock;
  #queue: Waiter[] = [];
  #writing = false;
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

  /** Resolves once `changes` are durable, atomically and after every change committed before them. */
  commit(changes: readonly StateChange[]): Promise<StateDocument> {
    return new Promise<StateDocument>((resolve, reject) => {
      this.#queue.push({ changes, resolve, reject });
      if (!this.#writing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0);
      if (this.#broken) {
        const err = new CfgitopsError(
          'E_STATE_IO',
          'an earlier state write of this run failed; nothing more is recorded',
          {
            cause: this.#broken,
          },
        );
        for (const w of batch) w.reject(err);
        continue;
      }
      try {
        const doc = await this.#lock.commit(batch.flatMap((w) => w.changes));
        for (const w of batch) w.resolve(doc);
      } catch (e) {
        this.#broken = isCfgitopsError(e) ? e : new CfgitopsError('E_STATE_IO', 'the state write failed', { cause: e });
        for (const w of batch) w.reject(this.#broken);
      }
    }
    this.#writing = false;
  }
}
