/**
 * One held file-state lock. A commit appends one record to the write-ahead log and fdatasyncs it: O(change), where
 * rewriting the document was O(state) per commit and O(resources²) over a large apply. The log is compacted into the
 * document when it has grown as large as the document (so compaction costs O(1) amortised per byte committed), when
 * the lock is released, and by the next lock after a run that died. A state with no document yet is written whole by
 * its first commit, so a log always extends a document that exists.
 */
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { CfgitopsError } from '../errors.js';
import { syncDirectory } from '../fs/write-file-atomic.js';
import { checkStateChanges } from './check-state-changes.js';
import { checkStateDocument } from './check-state-document.js';
import type { LockFile } from './lock-file.js';
import { SerialQueue } from './serial-queue.js';
import { stateDocumentJson } from './stable-json.js';
import type { StateFileSystem } from './state-file-system.js';
import { ioError, sameIdentity, STATE_FILE_MODE, type DocumentIdentity, type StateFiles } from './state-files.js';
import { walRecordLine } from './state-wal.js';
import {
  applyStateChanges,
  applyStateChangesInPlace,
  type LockOwner,
  type StateChange,
  type StateDocument,
  type StateLock,
} from './types.js';

/** A log smaller than this is never compacted during a run (small states would otherwise rewrite often). */
export const MIN_COMPACT_BYTES = 1 << 20;

export interface FileStateLockDeps {
  files: StateFiles;
  fs: StateFileSystem;
  lockFile: LockFile;
  describe: string;
  log?: Logger | undefined;
  /** Compact once the log reaches max(this, the document's size). */
  minCompactBytes: number;
}

interface OpenWal {
  handle: FileHandle;
  ino: number;
  /** Bytes of complete, durable records: what the file's size must be. */
  bytes: number;
}

export class FileStateLock implements StateLock {
  readonly info: LockOwner;
  readonly #d: FileStateLockDeps;
  readonly #queue = new SerialQueue();
  #doc: StateDocument;
  /** The document file as this lock last wrote or read it. */
  #file: DocumentIdentity | undefined;
  #wal: OpenWal | undefined;
  #released = false;
  /** Set when a write failed: what is on disk is no longer known to match `#doc`, so nothing more is committed. */
  #failed: CfgitopsError | undefined;

  constructor(info: LockOwner, doc: StateDocument, file: DocumentIdentity | undefined, deps: FileStateLockDeps) {
    this.info = info;
    this.#doc = doc;
    this.#file = file;
    this.#d = deps;
  }

  current(): StateDocument {
    return this.#doc;
  }

  commit(changes: readonly StateChange[]): Promise<StateDocument> {
    return this.#queue.run(async () => {
      checkStateChanges(changes);
      await this.#checkDisk();
      const serial = this.#doc.serial + 1;
      if (this.#file === undefined || (this.#wal?.bytes ?? 0) >= Math.max(this.#d.minCompactBytes, this.#file.size)) {
        await this.#writeDocument({ ...applyStateChanges(this.#doc, changes), serial });
      } else {
        await this.#append(walRecordLine({ lineage: this.#doc.lineage, serial, changes }));
        applyStateChangesInPlace(this.#doc, changes);
        this.#doc.serial = serial;
      }
      return this.#doc;
    });
  }

  /** `state migrate`: the log is compacted first, so no record of the replaced state can outlive it. */
  replace(doc: StateDocument): Promise<StateDocument> {
    return this.#queue.run(async () => {
      const next = checkStateDocument(structuredClone(doc), 'the replacement state');
      await this.#checkDisk();
      if (this.#wal) await this.#writeDocument(this.#doc);
      await this.#writeDocument(next);
      return this.#doc;
    });
  }

  /** Compacts what this run committed (best effort: a log left behind is folded by every reader and the next lock). */
  release(): Promise<void> {
    return this.#queue.run(async () => {
      if (this.#released) return;
      try {
        if (this.#wal && !this.#failed) {
          await this.#checkDisk();
          await this.#writeDocument(this.#doc);
        }
      } catch (e) {
        this.#d.log?.warn(
          { code: e instanceof CfgitopsError ? e.code : 'E_INTERNAL' },
          `${this.#d.describe}: the write-ahead log was not compacted; readers and the next run fold it`,
        );
      } finally {
        this.#released = true;
        await this.#wal?.handle.close().catch(() => undefined);
        this.#wal = undefined;
        await this.#d.lockFile.removeIf(this.info.id);
      }
    });
  }

  /** Only while this lock is still ours and the files are the ones it last wrote. */
  async #checkDisk(): Promise<void> {
    const { describe, lockFile, files, fs } = this.#d;
    if (this.#released) throw new CfgitopsError('E_INTERNAL', `commit after the lock on ${describe} was released`);
    if (this.#failed) {
      throw new CfgitopsError('E_STATE_IO', `${describe}: an earlier write under this lock failed`, {
        cause: this.#failed,
      });
    }
    const holder = await lockFile.read();
    if (holder?.id !== this.info.id) {
      throw new CfgitopsError('E_STATE_CONFLICT', `${describe}: this run no longer holds the lock`, {
        hint: 'someone force-unlocked it; run plan again to see the current state',
      });
    }
    const wal = this.#wal;
    const walIntact =
      wal === undefined ||
      (await fs.stat(files.walPath).then(
        (s) => s.ino === wal.ino && s.size === wal.bytes,
        () => false,
      ));
    const file = await files.identity();
    if (walIntact && sameIdentity(file, this.#file)) return;
    // Something differs from what this lock wrote: accept it only if it still says the same lineage and serial.
    const found = await files.load();
    if (walIntact && found.doc.lineage === this.#doc.lineage && found.doc.serial === this.#doc.serial) {
      this.#file = found.file;
      return;
    }
    const what = found.file === undefined ? 'no state file' : `lineage ${found.doc.lineage} serial ${found.doc.serial}`;
    throw new CfgitopsError(
      'E_STATE_CONFLICT',
      `${describe} changed underneath this run: expected lineage ${this.#doc.lineage} serial ${this.#doc.serial}, found ${what}`,
      { hint: 'another writer ignored the lock; run plan again' },
    );
  }

  async #append(line: string): Promise<void> {
    const wal = this.#wal ?? (await this.#openWal());
    try {
      await wal.handle.appendFile(line, 'utf8');
      await wal.handle.datasync();
    } catch (e) {
      // Cut the record away so that a commit reported as failed is not found by the next reader.
      await wal.handle.truncate(wal.bytes).catch(() => undefined);
      this.#failed = ioError(`cannot append to ${this.#d.files.walPath}`, e);
      throw this.#failed;
    }
    wal.bytes += Buffer.byteLength(line);
  }

  /** A fresh log (`ax`: never appended to a file some other writer left), its directory entry made durable. */
  async #openWal(): Promise<OpenWal> {
    const { fs, files } = this.#d;
    try {
      const handle = await fs.open(files.walPath, 'ax', STATE_FILE_MODE);
      try {
        await handle.chmod(STATE_FILE_MODE);
        const { ino } = await handle.stat();
        await syncDirectory(fs, dirname(files.walPath));
        this.#wal = { handle, ino, bytes: 0 };
        return this.#wal;
      } catch (e) {
        await handle.close().catch(() => undefined);
        throw e;
      }
    } catch (e) {
      this.#failed = ioError(`cannot create ${files.walPath}`, e);
      throw this.#failed;
    }
  }

  /** Writes `next` whole and removes the log it now contains. */
  async #writeDocument(next: StateDocument): Promise<void> {
    const { files } = this.#d;
    try {
      this.#file = await files.writeDocument(stateDocumentJson(next));
    } catch (e) {
      // Readers see the old document and log, or (failed after the rename) the new one: either is whole, but which
      // one this lock no longer knows, so it commits nothing more.
      this.#failed = ioError(`cannot write the state file ${files.path}`, e);
      throw this.#failed;
    }
    this.#doc = next;
    const wal = this.#wal;
    this.#wal = undefined;
    if (wal) {
      await wal.handle.close().catch(() => undefined);
      try {
        await files.removeWal();
      } catch (e) {
        // The document holds every record; but a new log cannot be created beside the old one (`ax`): stop here.
        this.#failed = ioError(`cannot remove ${files.walPath}`, e);
        throw this.#failed;
      }
    }
  }
}
