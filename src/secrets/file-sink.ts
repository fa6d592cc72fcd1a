/**
 * The default sink: a local file outside git (`.cfgitops/secrets.json`), JSON `{"<key>": "<value>"}` or dotenv.
 * Mode 0600, atomic replace, one key per token, every other key kept as it was.
 */
import { resolve } from 'node:path';
import type { Clock, Logger } from '../effects.js';
import type { Secret } from '../secret.js';
import type { SinkRef } from '../state/types.js';
import { writeFileAtomic } from '../fs/write-file-atomic.js';
import { readIfExists } from './read-if-exists.js';
import { checkWritableFile } from './check-writable.js';
import { dotenvKey, parseDotenv, removeDotenvKey, setDotenvValue } from './dotenv.js';
import type { PathLocks } from './path-locks.js';
import type { SinkFileSystem } from './sink-deps.js';
import { SinkError, describeFailure, scrubValue } from './sink-error.js';
import type { SecretSink, SinkCheckResult, TokenMetadata } from './types.js';
import { SINK_WRITE_TIMEOUT_MS, withinTime } from './within-time.js';

export interface FileSinkOptions {
  name: string;
  /** As configured (relative to the repository root), for messages. */
  path: string;
  format: 'json' | 'dotenv';
  cwd: string;
  fs: SinkFileSystem;
  locks: PathLocks;
  log: Logger;
  clock: Clock;
  /** One put's time limit (default SINK_WRITE_TIMEOUT_MS). */
  timeoutMs?: number;
}

const FILE_MODE = 0o600;

interface QueuedPut {
  ref: SinkRef;
  /** As stored in the file. */
  key: string;
  value: Secret;
  /** true: written; false: the file already held this value. */
  resolve(changed: boolean): void;
  reject(e: unknown): void;
}

export class FileSink implements SecretSink {
  readonly type = 'file';
  readonly name: string;
  readonly #opts: FileSinkOptions;
  readonly #abs: string;
  readonly #queued: QueuedPut[] = [];
  #draining = false;

  constructor(opts: FileSinkOptions) {
    this.name = opts.name;
    this.#opts = opts;
    this.#abs = resolve(opts.cwd, opts.path);
  }

  /** The key as it appears in the file (dotenv keys are sanitized to `[A-Z0-9_]`). */
  storedKey(key: string): string {
    return this.#opts.format === 'dotenv' ? dotenvKey(key) : key;
  }

  describe(ref: SinkRef): string {
    return `file ${this.#opts.path}#${this.storedKey(ref.key)}`;
  }

  async put(ref: SinkRef, token: TokenMetadata, value: Secret): Promise<void> {
    const key = this.storedKey(ref.key);
    const timeoutMs = this.#opts.timeoutMs ?? SINK_WRITE_TIMEOUT_MS;
    const write = new Promise<boolean>((resolve, reject) => {
      this.#queued.push({ ref, key, value, resolve, reject });
    });
    this.#drain();
    const changed = await withinTime(this.#opts.clock, timeoutMs, write, () =>
      this.#fail(ref, `writing ${this.#opts.path} did not finish within ${timeoutMs / 1000}s (a hung filesystem?)`),
    );
    this.#opts.log.debug(
      { sink: this.name, path: this.#opts.path, key, tokenName: token.name, changed },
      changed ? 'stored token value' : 'token value already stored',
    );
  }

  /** Drops the key, every other key kept; under the same path lock as the puts, so no write is lost between them. */
  async remove(ref: SinkRef, token: TokenMetadata): Promise<'removed' | 'absent'> {
    const key = this.storedKey(ref.key);
    const { fs } = this.#opts;
    const outcome = await this.#opts.locks.run(this.#abs, async () => {
      let current: string | undefined;
      try {
        current = await readIfExists(fs, this.#abs);
      } catch (e) {
        throw this.#fail(ref, `cannot read ${this.#opts.path}: ${describeFailure(e)}`, e);
      }
      if (current === undefined) return 'absent' as const;
      let next: string | undefined;
      if (this.#opts.format === 'json') {
        const doc = this.#readJson(ref, current);
        if (!Object.hasOwn(doc, key)) return 'absent' as const;
        delete doc[key];
        next = `${JSON.stringify(doc, null, 2)}\n`;
      } else {
        next = removeDotenvKey(current, key);
        if (next === undefined) return 'absent' as const;
      }
      try {
        await writeFileAtomic(fs, this.#abs, next, { mode: FILE_MODE, createDir: false });
      } catch (e) {
        throw this.#fail(ref, `cannot write ${this.#opts.path}: ${describeFailure(e)}`, e);
      }
      return 'removed' as const;
    });
    this.#opts.log.debug(
      { sink: this.name, path: this.#opts.path, key, tokenName: token.name, outcome },
      'removed old token value',
    );
    return outcome;
  }

  /**
   * Group write: the puts that queue while one write is in flight go into the next one together, each settling when
   * the write holding its value is durable. One rewrite per put made a large first apply O(tokens²) in this file
   * (5,000 tokens: 5,000 reads, parses and fsynced rewrites of a file growing to ~360 KB).
   */
  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    void (async () => {
      while (this.#queued.length > 0) {
        const batch = this.#queued.splice(0);
        await this.#opts.locks.run(this.#abs, () => this.#writeBatch(batch)).catch(() => undefined);
      }
      this.#draining = false;
    })();
  }

  async #writeBatch(batch: readonly QueuedPut[]): Promise<void> {
    const { fs } = this.#opts;
    const scrub = (e: unknown) => batch.reduce((text, p) => scrubValue(text, p.value.reveal()), describeFailure(e));
    let current: string | undefined;
    try {
      current = await readIfExists(fs, this.#abs);
    } catch (e) {
      for (const p of batch) p.reject(this.#fail(p.ref, `cannot read ${this.#opts.path}: ${scrub(e)}`, e));
      return;
    }
    const changed: QueuedPut[] = [];
    let text = current;
    let doc: Record<string, string> | undefined;
    for (const p of batch) {
      try {
        if (this.#opts.format === 'json') {
          doc ??= this.#readJson(p.ref, current);
          if (doc[p.key] === p.value.reveal()) {
            p.resolve(false);
            continue;
          }
          doc[p.key] = p.value.reveal();
        } else {
          const next = this.#setDotenv(text, p.key, p.value);
          if (next === undefined) {
            p.resolve(false);
            continue;
          }
          text = next;
        }
        changed.push(p);
      } catch (e) {
        p.reject(e);
      }
    }
    if (changed.length === 0) return;
    const next = doc ? `${JSON.stringify(doc, null, 2)}\n` : (text ?? '');
    try {
      await writeFileAtomic(fs, this.#abs, next, { mode: FILE_MODE, createDir: true });
    } catch (e) {
      for (const p of changed) p.reject(this.#fail(p.ref, `cannot write ${this.#opts.path}: ${scrub(e)}`, e));
      return;
    }
    for (const p of changed) p.resolve(true);
  }

  async check(): Promise<SinkCheckResult> {
    const w = await checkWritableFile(this.#opts.fs, this.#abs);
    const where = `file ${this.#opts.path}`;
    if (!w.ok) return { ok: false, detail: `${where} is not writable: ${w.problem ?? 'unknown'}` };
    // Before the mode: a file put() would refuse to overwrite makes the sink unready, whatever its mode.
    if (w.mode !== undefined && this.#opts.format === 'json') {
      try {
        parseJsonObject(await this.#opts.fs.readFile(this.#abs, 'utf8'));
      } catch {
        return { ok: false, detail: `${where} is not a JSON object of strings` };
      }
    }
    if (w.mode !== undefined && (w.mode & 0o077) !== 0) {
      return {
        ok: false,
        detail: `${where} has mode ${w.mode.toString(8).padStart(4, '0')}: others can read it (chmod 600 ${this.#opts.path})`,
        advisory: true,
      };
    }
    return { ok: true, detail: `${where} is writable (${this.#opts.format})` };
  }

  /** The file's keys and values (empty when there is no file yet). */
  #readJson(ref: SinkRef, current: string | undefined): Record<string, string> {
    if (current === undefined || current.trim() === '') return {};
    try {
      return parseJsonObject(current);
    } catch {
      // Never overwrite a file we cannot read: it may hold the only copy of other token values.
      throw this.#fail(ref, `${this.#opts.path} is not a JSON object of strings; refusing to overwrite it`);
    }
  }

  /** New file text, or undefined when the file already holds this value (a re-delivery writes nothing). */
  #setDotenv(current: string | undefined, key: string, value: Secret): string | undefined {
    const text = current ?? '';
    if (parseDotenv(text).get(key) === value.reveal()) return undefined;
    return setDotenvValue(text, key, value.reveal());
  }

  #fail(ref: SinkRef, message: string, cause?: unknown): SinkError {
    return new SinkError('E_SINK_WRITE', this.name, ref.key, this.describe(ref), message, {
      hint: 'fix the file or its permissions; the next apply rolls the token and delivers the new value',
      cause,
    });
  }
}

export function parseJsonObject(text: string): Record<string, string> {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== 'string') throw new Error('not a string value');
    out[k] = v;
  }
  return out;
}
