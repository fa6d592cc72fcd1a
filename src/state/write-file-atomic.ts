/**
 * Replace a file so that a crash at any instant leaves either the old or the new content, never a mix: write a temp
 * file in the same directory (same filesystem, so rename is atomic), fsync it, rename over the target, then fsync the
 * directory so the rename itself survives a power loss.
 */
import { basename, dirname, join } from 'node:path';
import { errnoCode, type StateFileSystem } from './state-file-system.js';
import { randomId } from './random-id.js';

export interface AtomicWriteOptions {
  mode: number;
  random: () => number;
}

export async function writeFileAtomic(
  fs: StateFileSystem,
  path: string,
  content: string,
  options: AtomicWriteOptions,
): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomId(options.random, 6)}.tmp`);
  const handle = await fs.open(temp, 'wx', options.mode);
  try {
    try {
      await handle.writeFile(content, 'utf8');
      // The mode given to open() is masked by the umask; chmod makes 0600 exact.
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

async function syncDirectory(fs: StateFileSystem, dir: string): Promise<void> {
  let handle;
  try {
    handle = await fs.open(dir, 'r');
  } catch (e) {
    // Some platforms cannot open a directory for reading; the rename has happened either way.
    if (errnoCode(e) === 'EISDIR' || errnoCode(e) === 'EPERM') return;
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
