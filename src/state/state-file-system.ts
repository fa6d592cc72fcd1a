/**
 * The slice of `node:fs/promises` the file backend uses. Injected so tests can simulate a crash between any two
 * steps of an atomic write; `node:fs/promises` itself satisfies it.
 */
import type { FileHandle } from 'node:fs/promises';

export interface StateFileSystem {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  open(path: string, flags: string, mode?: number): Promise<FileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  link(existing: string, created: string): Promise<void>;
  mkdir(path: string, options: { recursive: true; mode: number }): Promise<string | undefined>;
  readdir(path: string): Promise<string[]>;
  stat(path: string): Promise<{ ino: number; size: number; mtimeMs: number }>;
}

export function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}
