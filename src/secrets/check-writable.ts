/**
 * `sinks check` for file-backed sinks: the target file (if present) is a regular file we can write, and its directory
 * exists and is writable — or can be created under the nearest existing ancestor.
 */
import { constants } from 'node:fs';
import { dirname } from 'node:path';
import type { SinkFileSystem } from './sink-deps.js';

export interface WritableCheck {
  ok: boolean;
  problem?: string;
  /** Permission bits of the existing file, if it exists. */
  mode?: number;
}

export async function checkWritableFile(fs: SinkFileSystem, path: string): Promise<WritableCheck> {
  try {
    const st = await fs.stat(path);
    if (!st.isFile()) return { ok: false, problem: 'exists but is not a regular file' };
    await fs.access(path, constants.W_OK);
    return { ok: true, mode: st.mode & 0o777 };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') return { ok: false, problem: errnoText(code) };
  }
  return checkWritableDir(fs, dirname(path));
}

export async function checkWritableDir(fs: SinkFileSystem, dir: string): Promise<WritableCheck> {
  let current = dir;
  for (;;) {
    try {
      const st = await fs.stat(current);
      if (!st.isDirectory()) return { ok: false, problem: `${current} is not a directory` };
      await fs.access(current, constants.W_OK | constants.X_OK);
      return { ok: true };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') return { ok: false, problem: `${current}: ${errnoText(code)}` };
      const parent = dirname(current);
      if (parent === current) return { ok: false, problem: 'no existing parent directory' };
      current = parent;
    }
  }
}

function errnoText(code: string | undefined): string {
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only file system';
  return code ?? 'not accessible';
}
