import type { SinkFileSystem } from './sink-deps.js';

/** The file's text, or undefined when it does not exist. */
export async function readIfExists(fs: SinkFileSystem, path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
