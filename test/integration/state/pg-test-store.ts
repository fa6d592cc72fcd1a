import { hostname } from 'node:os';
import { systemClock, type Clock } from '../../../src/effects.js';
import { silentLogger } from '../../../src/log.js';
import { createPostgresStateStore, type PostgresStateStoreOptions } from '../../../src/state/postgres-state-store.js';
import type { StateStore } from '../../../src/state/types.js';

/** A store on the test cluster; closed by `closeAll`. */
export class PgStores {
  readonly #url: () => string;
  readonly #open: StateStore[] = [];

  constructor(url: () => string) {
    this.#url = url;
  }

  open(workspace: string, overrides: Partial<PostgresStateStoreOptions> & { clock?: Clock } = {}): StateStore {
    const store = createPostgresStateStore({
      url: this.#url(),
      workspace,
      clock: systemClock,
      random: Math.random,
      hostname: hostname(),
      pid: process.pid,
      owner: 'tester@host',
      log: silentLogger(),
      pollIntervalMs: 20,
      ...overrides,
    });
    this.#open.push(store);
    return store;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#open.splice(0).map((s) => s.close()));
  }
}
