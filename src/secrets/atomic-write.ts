/**
 * Replaces a file so that a reader (or a crash) sees either the old or the new content, never a torn one:
 * write a temp file beside it, fsync, rename over, fsync the directory.
 */
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { SinkFileSystem } from './sink-deps.js';

export async function writeFileAtomic(fs: SinkFileSystem, path: string, content: string, mode: number): Promise<void> {
  const dir = dirname(path);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  // `wx` + explicit mode: the temp file is never readable by others, not even for a moment.
  const handle = await fs.open(temp, 'wx', mode);
  try {
    try {
      await handle.writeFile(content, 'utf8');
      // The create mode is masked by the umask; set it exactly.
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
  } catch (e) {
    await fs.unlink(temp).catch(() => undefined);
    throw e;
  }
  await syncDir(fs, dir);
}

async function syncDir(fs: SinkFileSystem, dir: string): Promise<void> {
  // Makes the rename itself durable. Some platforms cannot open a directory for fsync; the rename is still atomic.
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}

/** The file's text, or undefined when it does not exist. */
export async function readIfExists(fs: SinkFileSystem, path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
