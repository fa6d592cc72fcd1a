/**
 * The file backend: one pretty-printed JSON document, replaced atomically on every commit, guarded by a lock file.
 */
import * as nodeFs from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../effects.js';
import { CfgitopsError } from '../errors.js';
import { checkStateChanges } from './check-state-changes.js';
import { checkStateDocument, parseStateDocument } from './check-state-document.js';
import { isProcessAlive, LockFile } from './lock-file.js';
import { randomId } from './random-id.js';
import { SerialQueue } from './serial-queue.js';
import { stateDocumentJson } from './stable-json.js';
import { errnoCode, type StateFileSystem } from './state-file-system.js';
import { writeFileAtomic } from '../fs/write-file-atomic.js';
import {
  applyStateChanges,
  emptyState,
  type LockOwner,
  type StateChange,
  type StateDocument,
  type StateLock,
  type StateStore,
} from './types.js';

export interface FileStateStoreOptions {
  path: string;
  fs?: StateFileSystem;
  clock: Clock;
  random: () => number;
  hostname: string;
  pid: number;
  /** `user@host` or a CI run id, recorded in the lock. */
  owner: string;
  log?: Logger;
  isProcessAlive?: (pid: number) => boolean;
  /** How often a waiting `lock()` looks again. */
  pollIntervalMs?: number;
}

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

export function createFileStateStore(options: FileStateStoreOptions): StateStore {
  const fs = options.fs ?? nodeFs;
  const { path, clock, random } = options;
  const describe = `file ${path}`;
  const lockFile = new LockFile(`${path}.lock`, {
    fs,
    clock,
    random,
    hostname: options.hostname,
    isProcessAlive: options.isProcessAlive ?? isProcessAlive,
    log: options.log,
    pollIntervalMs: options.pollIntervalMs ?? 250,
  });

  /** The exact text of the state file (undefined: no file yet). */
  async function readText(): Promise<string | undefined> {
    try {
      return await fs.readFile(path, 'utf8');
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw new CfgitopsError('E_STATE_IO', `cannot read the state file ${path}: ${errnoCode(e) ?? 'error'}`, {
        cause: e,
      });
    }
  }

  /** The document and the exact text it was read from (undefined: no file yet). */
  async function readWithText(): Promise<{ doc: StateDocument; text: string | undefined }> {
    const text = await readText();
    if (text === undefined) return { doc: emptyState(randomId(random)), text: undefined };
    return { doc: parseStateDocument(text, path), text };
  }

  /**
   * A run killed between writing its temp file and the rename leaves the temp file behind. Only the lock holder
   * writes temp files, so once we hold the lock every one of them is debris.
   */
  async function removeWriteDebris(): Promise<void> {
    const prefix = `.${basename(path)}.`;
    const names = await fs.readdir(dirname(path)).catch(() => []);
    for (const name of names) {
      if (name.startsWith(prefix) && name.endsWith('.tmp')) {
        await fs.unlink(join(dirname(path), name)).catch(() => undefined);
      }
    }
  }

  /** Always the whole state: a per-account `accounts` option is accepted and ignored (one file, one writer). */
  async function lock(operation: string, timeoutMs: number): Promise<StateLock> {
    await fs.mkdir(dirname(path), { recursive: true, mode: DIR_MODE }).catch((e: unknown) => {
      throw new CfgitopsError('E_STATE_IO', `cannot create the directory of ${path}: ${errnoCode(e) ?? 'error'}`, {
        cause: e,
      });
    });
    const info: LockOwner = {
      owner: options.owner,
      operation,
      pid: options.pid,
      host: options.hostname,
      acquired_at: new Date(clock.now()).toISOString(),
      id: randomId(random),
    };
    const held = await lockFile.acquire(info, timeoutMs, describe);
    try {
      await removeWriteDebris();
      const { doc, text } = await readWithText();
      return new FileStateLock(held, doc, text);
    } catch (e) {
      await lockFile.removeIf(held.id);
      throw e;
    }
  }

  class FileStateLock implements StateLock {
    readonly info: LockOwner;
    #doc: StateDocument;
    #text: string | undefined;
    #released = false;
    readonly #queue = new SerialQueue();

    constructor(info: LockOwner, doc: StateDocument, text: string | undefined) {
      this.info = info;
      this.#doc = doc;
      this.#text = text;
    }

    current(): StateDocument {
      return this.#doc;
    }

    commit(changes: readonly StateChange[]): Promise<StateDocument> {
      return this.#queue.run(async () => {
        checkStateChanges(changes);
        const base = await this.#checkedBase();
        return this.#write({ ...applyStateChanges(base, changes), serial: base.serial + 1 });
      });
    }

    replace(doc: StateDocument): Promise<StateDocument> {
      return this.#queue.run(async () => {
        await this.#checkedBase();
        return this.#write(checkStateDocument(structuredClone(doc), 'the replacement state'));
      });
    }

    /** The document to build on: only while this lock is still ours and the file is the one it last saw. */
    async #checkedBase(): Promise<StateDocument> {
      if (this.#released) throw new CfgitopsError('E_INTERNAL', `commit after the lock on ${describe} was released`);
      const holder = await lockFile.read();
      if (holder?.id !== this.info.id) {
        throw new CfgitopsError('E_STATE_CONFLICT', `${describe}: this run no longer holds the lock`, {
          hint: 'someone force-unlocked it; run plan again to see the current state',
        });
      }
      return this.#reread();
    }

    async #write(next: StateDocument): Promise<StateDocument> {
      const text = stateDocumentJson(next);
      try {
        await writeFileAtomic(fs, path, text, { mode: FILE_MODE });
      } catch (e) {
        throw new CfgitopsError('E_STATE_IO', `cannot write the state file ${path}: ${errnoCode(e) ?? 'error'}`, {
          cause: e,
        });
      }
      this.#doc = next;
      this.#text = text;
      return next;
    }

    /** The document on disk, refused unless it is the one this lock last saw (same lineage and serial). */
    async #reread(): Promise<StateDocument> {
      const text = await readText();
      // Unchanged bytes: skip parsing and re-validating a document we wrote ourselves (the common case: every
      // journal step of an apply lands here, and parsing a large state on each one was on the critical path).
      if (text !== undefined && text === this.#text) return this.#doc;
      const expected = this.#doc;
      if (text === undefined && this.#text === undefined) return expected;
      const doc = text === undefined ? expected : parseStateDocument(text, path);
      if (text === undefined || doc.lineage !== expected.lineage || doc.serial !== expected.serial) {
        const found = text === undefined ? 'no state file' : `lineage ${doc.lineage} serial ${doc.serial}`;
        throw new CfgitopsError(
          'E_STATE_CONFLICT',
          `${describe} changed underneath this run: expected lineage ${expected.lineage} serial ${expected.serial}, found ${found}`,
          { hint: 'another writer ignored the lock; run plan again' },
        );
      }
      return doc;
    }

    release(): Promise<void> {
      return this.#queue.run(async () => {
        if (this.#released) return;
        this.#released = true;
        await lockFile.removeIf(this.info.id);
      });
    }
  }

  return {
    describe: () => describe,
    read: async () => (await readWithText()).doc,
    lock,
    forceUnlock: async (id?: string) => {
      const holder = await lockFile.read();
      if (holder === undefined) return undefined;
      if (id !== undefined && holder.id !== id) {
        throw new CfgitopsError('E_STATE_LOCKED', `${describe} is locked with id ${holder.id}, not ${id}`, {
          hint: 'check the id with `cfgitops force-unlock` without an id, or wait for that run',
        });
      }
      return lockFile.removeIf(id);
    },
    lockHolder: () => lockFile.read(),
    close: () => Promise.resolve(),
  };
}
