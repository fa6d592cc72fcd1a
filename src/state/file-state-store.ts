/**
 * The file backend: one pretty-printed JSON document and its write-ahead log (state-files.ts: how they are read
 * together; file-state-lock.ts: how commits append and compact), guarded by a lock file.
 */
import * as nodeFs from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../effects.js';
import { CfgitopsError } from '../errors.js';
import { FileStateLock, MIN_COMPACT_BYTES } from './file-state-lock.js';
import { isProcessAlive, LockFile } from './lock-file.js';
import { randomId } from './random-id.js';
import { stateDocumentJson } from './stable-json.js';
import { errnoCode, type StateFileSystem } from './state-file-system.js';
import { StateFiles, type DocumentIdentity, type LoadedState } from './state-files.js';
import type { LockOwner, StateLock, StateStore } from './types.js';

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
  /** The write-ahead log is compacted during a run once it reaches max(this, the document's size). Default 1 MiB. */
  minCompactBytes?: number;
}

const DIR_MODE = 0o700;

export function createFileStateStore(options: FileStateStoreOptions): StateStore {
  const fs = options.fs ?? nodeFs;
  const { path, clock, random } = options;
  const describe = `file ${path}`;
  const files = new StateFiles(path, fs, random);
  const lockFile = new LockFile(`${path}.lock`, {
    fs,
    clock,
    random,
    hostname: options.hostname,
    isProcessAlive: options.isProcessAlive ?? isProcessAlive,
    log: options.log,
    pollIntervalMs: options.pollIntervalMs ?? 250,
  });

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
      const loaded = await files.load();
      let file = loaded.file;
      if (loaded.walPresent) file = await compactLeftover(loaded);
      return new FileStateLock(held, loaded.doc, file, {
        files,
        fs,
        lockFile,
        describe,
        log: options.log,
        minCompactBytes: options.minCompactBytes ?? MIN_COMPACT_BYTES,
      });
    } catch (e) {
      await lockFile.removeIf(held.id);
      throw e;
    }
  }

  /** A log left by a run that died (or could not compact): folded into the document, then removed, torn tail and all. */
  async function compactLeftover(loaded: LoadedState): Promise<DocumentIdentity | undefined> {
    let file = loaded.file;
    if (loaded.folded > 0) file = await files.writeDocument(stateDocumentJson(loaded.doc));
    await files.removeWal();
    options.log?.info(
      { records: loaded.folded, tornTail: loaded.tornTail },
      `${describe}: compacted the write-ahead log left by an earlier run`,
    );
    return file;
  }

  return {
    describe: () => describe,
    read: async () => (await files.load()).doc,
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
