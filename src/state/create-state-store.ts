/**
 * Chooses the backend from `config.state`. The composition root passes the real effects; tests pass their own.
 */
import { isAbsolute, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { StateBackendConfig } from '../config/types.js';
import type { Clock } from '../effects.js';
import { createFileStateStore } from './file-state-store.js';
import { createPostgresStateStore } from './postgres-state-store.js';
import type { Env } from './postgres-url.js';
import type { StateFileSystem } from './state-file-system.js';
import type { StateStore } from './types.js';

export interface StateStoreDeps {
  clock: Clock;
  random: () => number;
  hostname: string;
  pid: number;
  /** `user@host` or a CI run id, recorded in locks. */
  owner: string;
  log?: Logger;
  /** For `CFGITOPS_PG_URL` / `DATABASE_URL`. */
  env: Env;
  /** Relative file paths are resolved against this directory (the repository root). */
  cwd: string;
  fs?: StateFileSystem;
}

export function createStateStore(config: StateBackendConfig, deps: StateStoreDeps): StateStore {
  const common = {
    clock: deps.clock,
    random: deps.random,
    hostname: deps.hostname,
    pid: deps.pid,
    owner: deps.owner,
    ...(deps.log ? { log: deps.log } : {}),
  };
  switch (config.backend) {
    case 'file':
      return createFileStateStore({
        ...common,
        path: isAbsolute(config.path) ? config.path : resolve(deps.cwd, config.path),
        ...(deps.fs ? { fs: deps.fs } : {}),
      });
    case 'postgres':
      return createPostgresStateStore({
        ...common,
        url: config.url,
        env: deps.env,
        ssl: config.ssl,
        workspace: config.workspace,
      });
  }
}
