/**
 * Replace a file so that a reader, or a crash at any instant, sees either the old or the new content, never a mix:
 * write a temp file in the same directory (same filesystem, so rename is atomic), set its mode exactly, fsync it,
 * rename it over the target, then fsync the directory so the rename itself survives a power loss.
 *
 * The one implementation behind the state file, the file and age secret sinks, and saved plans. The temp file is
 * `.<name>.<pid>.<random>.tmp` beside the target: the state store removes such debris left by a killed run.
 */
import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The slice of `node:fs/promises` an atomic write needs; injected so tests can fail any step. */
export interface AtomicWriteFileSystem {
  open(path: string, flags: string, mode?: number): Promise<FileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string, options: { recursive: true; mode: number }): Promise<string | undefined>;
}

export interface AtomicWriteOptions {
  /** Exact file mode, e.g. 0o600 (the mode given to open() is masked by the umask; chmod makes it exact). */
  mode: number;
  /** Create the parent directory (mode 0700) if it is missing. */
  createDir?: boolean;
}

export async function writeFileAtomic(
  fs: AtomicWriteFileSystem,
  path: string,
  content: string,
  options: AtomicWriteOptions,
): Promise<void> {
  const dir = dirname(path);
  if (options.createDir === true) await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  // `wx` + explicit mode: the temp file is never readable by others, not even for a moment.
  const handle = await fs.open(temp, 'wx', options.mode);
  try {
    try {
      await handle.writeFile(content, 'utf8');
      await handle.chmod(options.mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
  } catch (e) {
    await fs.unlink(temp).catch(() => undefined);
    throw e;
  }
  await syncDirectory(fs, dir);
}

/** fsync a directory, so a file created or renamed in it survives a power loss. */
export async function syncDirectory(fs: Pick<AtomicWriteFileSystem, 'open'>, dir: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await fs.open(dir, 'r');
  } catch (e) {
    // Some platforms cannot open a directory for reading; the rename has happened either way.
    if (errnoCode(e) === 'EISDIR' || errnoCode(e) === 'EPERM' || errnoCode(e) === 'EACCES') return;
    throw e;
  }
  try {
    await handle.sync();
  } catch (e) {
    if (errnoCode(e) !== 'EINVAL') throw e;
  } finally {
    await handle.close();
  }
}

export function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}
