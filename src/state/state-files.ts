/**
 * The file backend's two files: the state document (`state.json`, pretty-printed, replaced atomically) and its
 * write-ahead log (`state.json.wal`, see state-wal.ts). The document is the state as of its serial; the log holds the
 * commits made since, until a compaction writes them into the document and removes the log.
 *
 * Readers without the lock (plan, drift, `state list|show`) read the log FIRST, then the document. Every order of
 * events a writer can produce then folds to a state some commit produced: a log read before a compaction holds only
 * records the newer document already contains (they are skipped by serial); a log removed before we read it means the
 * document we read next is at least that new; a record being appended while we read is a torn tail and is ignored —
 * the reader is then one commit behind, as it could always be. The other order would not be safe: a document read
 * before a compaction and a log read after it (already a new log, starting past the old document) would leave a gap.
 */
import type { FileHandle } from 'node:fs/promises';
import { CfgitopsError } from '../errors.js';
import { writeFileAtomic } from '../fs/write-file-atomic.js';
import { checkStateDocument, parseStateDocument } from './check-state-document.js';
import { randomId } from './random-id.js';
import { errnoCode, type StateFileSystem } from './state-file-system.js';
import { foldWal, parseWal } from './state-wal.js';
import { emptyState, type StateDocument } from './types.js';

export const STATE_FILE_MODE = 0o600;

/**
 * Which version of the document file is on disk, cheaply: a writer compares it before every commit instead of
 * reading the whole document. `head` (the first bytes: format version, lineage, serial) catches a rewrite in place
 * within one timestamp tick.
 */
export interface DocumentIdentity {
  ino: number;
  size: number;
  mtimeMs: number;
  head: string;
}

const HEAD_BYTES = 256;

export interface LoadedState {
  /** The document with the log folded in. */
  doc: StateDocument;
  /** The document file as read; undefined: there is none yet. */
  file: DocumentIdentity | undefined;
  /** A log file exists (records, stale records or only a torn tail): the next lock compacts and removes it. */
  walPresent: boolean;
  /** Records of the log folded into `doc`. */
  folded: number;
  tornTail: boolean;
}

export class StateFiles {
  readonly path: string;
  readonly walPath: string;
  readonly #fs: StateFileSystem;
  readonly #random: () => number;

  constructor(path: string, fs: StateFileSystem, random: () => number) {
    this.path = path;
    this.walPath = `${path}.wal`;
    this.#fs = fs;
    this.#random = random;
  }

  /** The state as committed: the document with its log folded in (log read first: see the module comment). */
  async load(): Promise<LoadedState> {
    const walText = await this.#readOptional(this.walPath, (h) => h.readFile('utf8'));
    const read = await this.#readOptional(this.path, async (h) => {
      const stat = await h.stat();
      const text = await h.readFile('utf8');
      return { text, file: { ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, head: headOf(text) } };
    });
    const doc = read === undefined ? emptyState(randomId(this.#random)) : parseStateDocument(read.text, this.path);
    if (walText === undefined) return { doc, file: read?.file, walPresent: false, folded: 0, tornTail: false };
    const wal = parseWal(walText, this.walPath);
    const folded = foldWal(doc, wal, `${this.path} with ${this.walPath}`);
    // The records' envelopes were checked while parsing; their contents are checked as part of the whole document.
    if (folded > 0) checkStateDocument(doc, `${this.path} with ${this.walPath}`);
    return { doc, file: read?.file, walPresent: true, folded, tornTail: wal.tornTail };
  }

  /** The document file's identity now (undefined: no file). */
  async identity(): Promise<DocumentIdentity | undefined> {
    return this.#readOptional(this.path, async (h) => {
      const stat = await h.stat();
      const buffer = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await h.read(buffer, 0, HEAD_BYTES, 0);
      return { ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, head: buffer.toString('latin1', 0, bytesRead) };
    });
  }

  /** Replaces the document atomically; returns the new file's identity. */
  async writeDocument(text: string): Promise<DocumentIdentity> {
    try {
      await writeFileAtomic(this.#fs, this.path, text, { mode: STATE_FILE_MODE });
      const stat = await this.#fs.stat(this.path);
      return { ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, head: headOf(text) };
    } catch (e) {
      throw ioError(`cannot write the state file ${this.path}`, e);
    }
  }

  /** After a compaction: every record is in the document now. */
  async removeWal(): Promise<void> {
    try {
      await this.#fs.unlink(this.walPath);
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw ioError(`cannot remove the compacted log ${this.walPath}`, e);
    }
  }

  async #readOptional<T>(path: string, read: (h: FileHandle) => Promise<T>): Promise<T | undefined> {
    let handle: FileHandle;
    try {
      handle = await this.#fs.open(path, 'r');
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw ioError(`cannot read ${path}`, e);
    }
    try {
      return await read(handle);
    } catch (e) {
      throw ioError(`cannot read ${path}`, e);
    } finally {
      await handle.close().catch(() => undefined);
    }
  }
}

export function sameIdentity(a: DocumentIdentity | undefined, b: DocumentIdentity | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.head === b.head;
}

function headOf(text: string): string {
  return Buffer.from(text.slice(0, HEAD_BYTES), 'utf8').toString('latin1', 0, HEAD_BYTES);
}

export function ioError(what: string, e: unknown): CfgitopsError {
  if (e instanceof CfgitopsError) return e;
  return new CfgitopsError('E_STATE_IO', `${what}: ${errnoCode(e) ?? (e instanceof Error ? e.message : 'error')}`, {
    cause: e,
  });
}
