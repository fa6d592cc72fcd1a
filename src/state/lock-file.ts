/**
 * An exclusive lock file beside the state file, holding the LockOwner as JSON.
 *
 * The lock is written to a temp file first and then hard-linked to `<state>.lock`: link() fails with EEXIST like an
 * O_EXCL create, but the lock file appears complete or not at all, so a run killed mid-write never leaves an empty
 * lock that nobody can attribute.
 */
import { dirname, join, basename } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../effects.js';
import { CfgitopsError } from '../errors.js';
import { randomId } from './random-id.js';
import { errnoCode, type StateFileSystem } from './state-file-system.js';
import type { LockOwner } from './types.js';

export interface LockFileDeps {
  fs: StateFileSystem;
  clock: Clock;
  random: () => number;
  /** This machine: a lock from another host is never assumed stale. */
  hostname: string;
  isProcessAlive: (pid: number) => boolean;
  log?: Logger | undefined;
  pollIntervalMs: number;
}

/** What a lock file that is not valid LockOwner JSON is reported as. */
export const UNREADABLE_LOCK: LockOwner = {
  owner: 'unknown (unreadable lock file)',
  operation: 'unknown',
  pid: 0,
  host: 'unknown',
  acquired_at: 'unknown',
  id: '',
};

export class LockFile {
  readonly #deps: LockFileDeps;
  readonly path: string;

  constructor(path: string, deps: LockFileDeps) {
    this.path = path;
    this.#deps = deps;
  }

  /**
   * Waits up to `timeoutMs` (polling through the clock); takes over a lock whose same-host process is gone. Returns
   * the owner as written, stamped with the time the lock was actually taken.
   */
  async acquire(owner: LockOwner, timeoutMs: number, describe: string): Promise<LockOwner> {
    const { clock } = this.#deps;
    const deadline = clock.now() + timeoutMs;
    for (;;) {
      const written = { ...owner, acquired_at: new Date(clock.now()).toISOString() };
      if (await this.#tryCreate(written)) return written;
      const holder = await this.read();
      if (holder === undefined) continue; // released between our attempt and the read
      if (this.#isStale(holder)) {
        if (await this.removeIf(holder.id)) {
          this.#deps.log?.warn(
            { holder: { ...holder } },
            `took over a stale state lock: process ${holder.pid} on ${holder.host} no longer exists`,
          );
        }
        continue;
      }
      const remaining = deadline - this.#deps.clock.now();
      if (remaining <= 0) throw lockedError(describe, holder);
      await this.#deps.clock.sleep(Math.min(this.#deps.pollIntervalMs, remaining));
    }
  }

  /** The current holder, if any. */
  async read(): Promise<LockOwner | undefined> {
    let text: string;
    try {
      text = await this.#deps.fs.readFile(this.path, 'utf8');
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw ioError(`cannot read the lock file ${this.path}`, e);
    }
    return parseLockOwner(text);
  }

  /**
   * Removes the lock if its id is `id` (any lock when `id` is undefined). Moves it aside first and checks what was
   * moved, so a lock taken by someone else in the meantime is put back rather than deleted.
   */
  async removeIf(id: string | undefined): Promise<LockOwner | undefined> {
    const { fs } = this.#deps;
    const aside = join(dirname(this.path), `.${basename(this.path)}.${randomId(this.#deps.random, 6)}.removed`);
    try {
      await fs.rename(this.path, aside);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw ioError(`cannot remove the lock file ${this.path}`, e);
    }
    const moved = parseLockOwner(await fs.readFile(aside, 'utf8'));
    if (id !== undefined && moved.id !== id) {
      // Not the lock we meant: restore it unless a new lock already appeared (then its holder has won the race).
      await fs.link(aside, this.path).catch(() => undefined);
      await fs.unlink(aside);
      return undefined;
    }
    await fs.unlink(aside);
    return moved;
  }

  async #tryCreate(owner: LockOwner): Promise<boolean> {
    const { fs } = this.#deps;
    // The pid keeps two processes apart even if a test injects a constant random().
    const temp = join(dirname(this.path), `.${basename(this.path)}.${owner.pid}.${owner.id}.new`);
    const handle = await fs.open(temp, 'wx', 0o600).catch((e: unknown) => {
      throw ioError(`cannot create a lock file beside ${this.path}`, e);
    });
    try {
      await handle.writeFile(`${JSON.stringify(owner, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.link(temp, this.path);
      return true;
    } catch (e) {
      if (errnoCode(e) === 'EEXIST') return false;
      throw ioError(`cannot create the lock file ${this.path}`, e);
    } finally {
      await fs.unlink(temp);
    }
  }

  #isStale(holder: LockOwner): boolean {
    return holder.host === this.#deps.hostname && holder.pid > 0 && !this.#deps.isProcessAlive(holder.pid);
  }
}

export function lockedError(describe: string, holder: LockOwner): CfgitopsError {
  const id = holder.id === '' ? '' : ` ${holder.id}`;
  return new CfgitopsError(
    'E_STATE_LOCKED',
    `${describe} is locked by ${holder.owner} (${holder.operation}, pid ${holder.pid} on ${holder.host}, ` +
      `since ${holder.acquired_at}, lock id${id === '' ? ' unknown' : id})`,
    {
      hint: `wait for that run to finish, or raise the lock timeout; if that run is dead, run \`cfgitops force-unlock${id}\``,
    },
  );
}

function parseLockOwner(text: string): LockOwner {
  try {
    const v = JSON.parse(text) as Partial<LockOwner> | null;
    if (
      v !== null &&
      typeof v.owner === 'string' &&
      typeof v.operation === 'string' &&
      typeof v.pid === 'number' &&
      typeof v.host === 'string' &&
      typeof v.acquired_at === 'string' &&
      typeof v.id === 'string'
    ) {
      return { owner: v.owner, operation: v.operation, pid: v.pid, host: v.host, acquired_at: v.acquired_at, id: v.id };
    }
  } catch {
    // fall through: reported as an unreadable lock
  }
  return UNREADABLE_LOCK;
}

function ioError(message: string, cause: unknown): CfgitopsError {
  return new CfgitopsError('E_STATE_IO', `${message}: ${errnoCode(cause) ?? 'error'}`, { cause });
}

/** `process.kill(pid, 0)`: ESRCH means gone; EPERM means alive but someone else's. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) !== 'ESRCH';
  }
}
