/**
 * The side effects sinks need, injected so tests control them: files, environment, clock, logs, HTTP and processes.
 */
import type { spawn as nodeSpawn } from 'node:child_process';
import type * as fsPromises from 'node:fs/promises';
import type { Clock, Logger } from '../effects.js';

/** The part of `node:fs/promises` the sinks use. */
export type SinkFileSystem = Pick<
  typeof fsPromises,
  'readFile' | 'open' | 'rename' | 'mkdir' | 'stat' | 'access' | 'unlink' | 'readdir'
>;

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface SinkDeps {
  /** Defaults to `node:fs/promises`. */
  fs?: SinkFileSystem;
  /** Where `fromEnv`-style settings (e.g. `GITHUB_TOKEN`) and `PATH` are read; also the `exec` child's environment. */
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  log: Logger;
  /** HTTP for the GitHub sink. Defaults to the global fetch (undici). */
  fetch?: FetchLike;
  /** Process spawning for the `exec` sink. Defaults to `node:child_process` spawn. */
  spawn?: typeof nodeSpawn;
  /** Relative sink paths are resolved against this (the repository root). */
  cwd: string;
}
