/**
 * Token values encrypted to age recipients, written where they can be committed: `<path>/<key>.age` files or
 * one armored entry per key in a YAML/JSON file. Only holders of a matching identity can read them back.
 */
import { resolve } from 'node:path';
import { CfgitopsError } from '../errors.js';
import type { Clock, Logger } from '../effects.js';
import { Secret } from '../secret.js';
import type { SinkRef } from '../state/types.js';
import { checkAgeRecipients, decryptAge, encryptArmored } from './age-crypto.js';
import { ageFilePath, getArmoredEntry, removeArmoredEntry, setArmoredEntry, type AgeLayout } from './age-layout.js';
import { writeFileAtomic } from '../fs/write-file-atomic.js';
import { readIfExists } from './read-if-exists.js';
import { checkWritableDir, checkWritableFile } from './check-writable.js';
import type { PathLocks } from './path-locks.js';
import type { SinkFileSystem } from './sink-deps.js';
import { SinkError, describeFailure } from './sink-error.js';
import type { SecretSink, SinkCheckResult, TokenMetadata } from './types.js';
import { SINK_WRITE_TIMEOUT_MS, withinTime } from './within-time.js';

export interface AgeSinkOptions {
  name: string;
  /** A directory (`files`) or a file (`yaml`, `json`), relative to the repository root. */
  path: string;
  recipients: readonly string[];
  layout: AgeLayout;
  cwd: string;
  fs: SinkFileSystem;
  locks: PathLocks;
  log: Logger;
  clock: Clock;
  /** One put's time limit (default SINK_WRITE_TIMEOUT_MS). */
  timeoutMs?: number;
}

// Ciphertext only: meant to be committed and read by CI, so ordinary file permissions.
const FILE_MODE = 0o644;

export class AgeSink implements SecretSink {
  readonly type = 'age';
  readonly name: string;
  readonly #opts: AgeSinkOptions;
  readonly #abs: string;

  /** Throws E_CONFIG when a recipient does not parse: better before any token is minted than at delivery. */
  constructor(opts: AgeSinkOptions) {
    const problems = checkAgeRecipients(opts.recipients);
    if (problems.length > 0) {
      const list = problems.map((p) => (p.index < 0 ? p.problem : `recipients[${p.index}]: ${p.problem}`)).join('; ');
      throw new CfgitopsError('E_CONFIG', `age sink "${opts.name}": ${list}`, {
        hint: 'use X25519 public keys from `age-keygen -y KEYFILE` (age1…)',
      });
    }
    this.name = opts.name;
    this.#opts = opts;
    this.#abs = resolve(opts.cwd, opts.path);
  }

  describe(ref: SinkRef): string {
    const n = this.#opts.recipients.length;
    const where =
      this.#opts.layout === 'files' ? ageFilePath(this.#opts.path, ref.key) : `${this.#opts.path}#${ref.key}`;
    return `age ${where} (${n} recipient${n === 1 ? '' : 's'})`;
  }

  async put(ref: SinkRef, token: TokenMetadata, value: Secret): Promise<void> {
    const timeoutMs = this.#opts.timeoutMs ?? SINK_WRITE_TIMEOUT_MS;
    await withinTime(this.#opts.clock, timeoutMs, this.#write(ref, value), () =>
      this.#fail(ref, `writing ${this.#opts.path} did not finish within ${timeoutMs / 1000}s (a hung filesystem?)`),
    );
    this.#opts.log.debug({ sink: this.name, where: this.describe(ref), tokenName: token.name }, 'stored token value');
  }

  /** Deletes the key's `.age` file, or its entry in the YAML/JSON document (the rest of it kept as it was). */
  async remove(ref: SinkRef, token: TokenMetadata): Promise<'removed' | 'absent'> {
    const { fs, layout } = this.#opts;
    let outcome: 'removed' | 'absent';
    if (layout === 'files') {
      try {
        await fs.unlink(ageFilePath(this.#abs, ref.key));
        outcome = 'removed';
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw this.#fail(ref, `cannot remove: ${describeFailure(e)}`, e);
        }
        outcome = 'absent';
      }
    } else {
      outcome = await this.#opts.locks.run(this.#abs, async () => {
        let next: string | undefined;
        try {
          const current = await readIfExists(fs, this.#abs);
          next = current === undefined ? undefined : removeArmoredEntry(layout, current, ref.key);
        } catch (e) {
          throw this.#fail(ref, `cannot update ${this.#opts.path}: ${describeFailure(e)}; refusing to overwrite it`, e);
        }
        if (next === undefined) return 'absent' as const;
        try {
          await writeFileAtomic(fs, this.#abs, next, { mode: FILE_MODE });
        } catch (e) {
          throw this.#fail(ref, `cannot write: ${describeFailure(e)}`, e);
        }
        return 'removed' as const;
      });
    }
    this.#opts.log.debug(
      { sink: this.name, where: this.describe(ref), tokenName: token.name, outcome },
      'removed old token value',
    );
    return outcome;
  }

  async #write(ref: SinkRef, value: Secret): Promise<void> {
    let armored: string;
    try {
      armored = await encryptArmored(this.#opts.recipients, value.reveal());
    } catch (e) {
      throw this.#fail(ref, `encryption failed: ${describeFailure(e, value.reveal())}`, e);
    }
    const { fs, layout } = this.#opts;
    if (layout === 'files') {
      try {
        await writeFileAtomic(fs, ageFilePath(this.#abs, ref.key), armored, { mode: FILE_MODE, createDir: true });
      } catch (e) {
        throw this.#fail(ref, `cannot write: ${describeFailure(e)}`, e);
      }
      return;
    }
    await this.#opts.locks.run(this.#abs, async () => {
      let next: string;
      try {
        next = setArmoredEntry(layout, await readIfExists(fs, this.#abs), ref.key, armored);
      } catch (e) {
        // Never overwrite what we cannot parse: it may hold other tokens' only copies.
        throw this.#fail(ref, `cannot update ${this.#opts.path}: ${describeFailure(e)}; refusing to overwrite it`, e);
      }
      try {
        await writeFileAtomic(fs, this.#abs, next, { mode: FILE_MODE, createDir: true });
      } catch (e) {
        throw this.#fail(ref, `cannot write: ${describeFailure(e)}`, e);
      }
    });
  }

  async check(): Promise<SinkCheckResult> {
    const { fs, layout, path } = this.#opts;
    const w = layout === 'files' ? await checkWritableDir(fs, this.#abs) : await checkWritableFile(fs, this.#abs);
    const n = this.#opts.recipients.length;
    if (!w.ok) return { ok: false, detail: `age ${path} is not writable: ${w.problem ?? 'unknown'}` };
    if (layout !== 'files' && w.mode !== undefined) {
      try {
        getArmoredEntry(layout, await fs.readFile(this.#abs, 'utf8'), '');
      } catch {
        return { ok: false, detail: `age ${path} is not a ${layout} mapping of armored values` };
      }
    }
    const parse = n === 1 ? '1 recipient parses' : `${n} recipients parse`;
    return { ok: true, detail: `age ${path} is writable (${layout}); ${parse}` };
  }

  #fail(ref: SinkRef, message: string, cause?: unknown): SinkError {
    return new SinkError('E_SINK_WRITE', this.name, ref.key, this.describe(ref), message, {
      cause,
    });
  }
}

export interface ReadAgeSecretOptions {
  fs: SinkFileSystem;
  cwd: string;
  path: string;
  layout: AgeLayout;
  key: string;
  /** `AGE-SECRET-KEY-1…` strings (see `parseIdentityFile`). */
  identities: readonly string[];
}

/** Reads one value back from what an `age` sink (or `age -r … -a`) wrote. For tests and `secrets get`. */
export async function readAgeSecret(opts: ReadAgeSecretOptions): Promise<Secret> {
  const abs = resolve(opts.cwd, opts.path);
  let armored: string | undefined;
  if (opts.layout === 'files') {
    armored = await readIfExists(opts.fs, ageFilePath(abs, opts.key));
  } else {
    const text = await readIfExists(opts.fs, abs);
    armored = text === undefined ? undefined : getArmoredEntry(opts.layout, text, opts.key);
  }
  if (armored === undefined) {
    throw new CfgitopsError('E_STATE_NOT_FOUND', `no age-encrypted value for key ${opts.key} in ${opts.path}`);
  }
  return new Secret(await decryptAge(armored, opts.identities));
}
