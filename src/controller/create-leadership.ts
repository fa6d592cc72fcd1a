/**
 * The leader election that goes with a state backend: PostgreSQL elects through an advisory lock; a state file
 * admits one replica only (docs/controller.md).
 */
import type { StateBackendConfig } from '../config/types.js';
import type { Clock, Logger } from '../effects.js';
import { resolvePostgresUrl } from '../state/postgres-url.js';
import { singleReplicaLeadership, type Leadership } from './leadership.js';
import { postgresLeadership } from './postgres-leadership.js';

export interface LeadershipDeps {
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  random: () => number;
  log: Logger;
  /** How often a standby tries to take over. */
  retryMs: number;
}

export function createLeadership(state: StateBackendConfig, deps: LeadershipDeps): Leadership {
  if (state.backend !== 'postgres') return singleReplicaLeadership();
  return postgresLeadership({
    url: resolvePostgresUrl(state.url, deps.env),
    ssl: state.ssl,
    workspace: state.workspace,
    retryMs: deps.retryMs,
    heartbeatMs: Math.min(deps.retryMs, 2_000),
    clock: deps.clock,
    random: deps.random,
    log: deps.log,
  });
}
