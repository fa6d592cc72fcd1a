/**
 * Leader election on PostgreSQL: one session-level advisory lock per workspace (`leaderLockKeys`), held on a
 * dedicated connection for as long as the replica leads. The lock dies with the session, so a leader that is
 * SIGKILLed, OOM-killed or whose node vanishes loses it without any lease to expire:
 *
 * - process killed: its socket closes, the server ends the session at once, a standby's next try (every
 *   `retryMs`) wins — failover ≤ retryMs plus the start of a cycle;
 * - node or network gone: the server notices through TCP keepalives, which this session sets to 10 s idle + 3 × 5 s
 *   probes — failover ≤ ~25 s + retryMs.
 *
 * The leader checks its session every `heartbeatMs` (a query with a timeout) and steps down the moment it fails,
 * which aborts its cycle (steps in flight finish and are journaled; the state lock is on its own session).
 * Standbys forward webhooks to the leader with NOTIFY on the same connection.
 */
import { createRequire } from 'node:module';
import type pg from 'pg';
import type { Clock, Logger } from '../effects.js';
import { Secret } from '../secret.js';
import { leaderLockKeys } from '../state/advisory-lock-key.js';
import { connectionPassword, redactConnectionString } from '../state/postgres-url.js';
import type { Leadership } from './leadership.js';

export const LEADER_CHANNEL = 'cfgitops_controller';

export interface PostgresLeadershipOptions {
  url: string;
  ssl?: boolean | { rejectUnauthorized?: boolean; ca?: string } | undefined;
  workspace: string;
  /** How often a standby tries to take the lock. */
  retryMs: number;
  /** How often the leader checks its session. */
  heartbeatMs: number;
  clock: Clock;
  random: () => number;
  log: Logger;
}

export function postgresLeadership(options: PostgresLeadershipOptions): Leadership {
  const { url, workspace, clock, log } = options;
  const password = connectionPassword(url);
  if (password !== undefined) new Secret(password);
  const describe = `postgres workspace=${workspace} (${redactConnectionString(url)})`;
  const keys = leaderLockKeys(workspace);
  const stopping = new AbortController();
  let client: pg.Client | undefined;
  let leading = false;
  let loop: Promise<void> | undefined;
  let setRole: (leader: boolean) => void = () => undefined;
  const scrub = (text: string): string => (password === undefined ? text : text.split(password).join('***'));
  const queryTimeout = Math.max(1000, options.heartbeatMs * 2);

  function jittered(ms: number): number {
    return Math.round(ms * (0.9 + 0.2 * options.random()));
  }

  async function campaign(onNudge: () => void): Promise<void> {
    let failures = 0;
    while (!stopping.signal.aborted) {
      let lost: Error | undefined;
      // pg (CommonJS) is loaded when leadership is taken through PostgreSQL, not by every command.
      const { Client } = createRequire(import.meta.url)('pg') as typeof pg;
      const c = new Client({
        connectionString: url,
        ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
        application_name: 'cfgitops-controller',
        keepAlive: true,
        connectionTimeoutMillis: 10_000,
        query_timeout: queryTimeout,
      });
      c.on('error', (e) => {
        lost = e;
        // Step down now, not at the next heartbeat: the lock went with the session.
        setRole(false);
      });
      c.on('notification', (n) => {
        if (leading && n.channel === LEADER_CHANNEL && n.payload === workspace) onNudge();
      });
      client = c;
      try {
        await c.connect();
        // The server drops a vanished leader's session (and so its lock) within ~25 s instead of hours.
        await c.query('SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3');
        failures = 0;
        while (!stopping.signal.aborted) {
          if (lost) throw lost;
          if (!leading) {
            const { rows } = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [...keys]);
            if (rows[0]?.ok === true) {
              await c.query(`LISTEN ${LEADER_CHANNEL}`);
              setRole(true);
            }
          } else {
            await c.query('SELECT 1');
          }
          await clock
            .sleep(jittered(leading ? options.heartbeatMs : options.retryMs), stopping.signal)
            .catch(() => undefined);
        }
      } catch (e) {
        if (stopping.signal.aborted) break;
        failures++;
        log.warn(
          { err: scrub(e instanceof Error ? e.message : String(e)), leader: leading },
          `${describe}: leader election session failed${leading ? '; stepping down' : ''}`,
        );
        setRole(false);
        await c.end().catch(() => undefined);
        client = undefined;
        await clock
          .sleep(jittered(Math.min(30_000, options.retryMs * 2 ** Math.min(failures, 4))), stopping.signal)
          .catch(() => undefined);
      }
    }
  }

  return {
    describe,
    start: (onChange, onNudge) => {
      setRole = (leader) => {
        if (leader === leading) return;
        leading = leader;
        log.info({ leadership: describe }, leader ? 'this replica is now the leader' : 'this replica is a standby');
        onChange(leader);
      };
      loop = campaign(onNudge);
    },
    isLeader: () => leading,
    nudge: async () => {
      const c = client;
      if (!c) return false;
      try {
        await c.query('SELECT pg_notify($1, $2)', [LEADER_CHANNEL, workspace]);
        return true;
      } catch {
        return false;
      }
    },
    stop: async () => {
      stopping.abort();
      await loop;
      const c = client;
      client = undefined;
      if (c) {
        if (leading) await c.query('SELECT pg_advisory_unlock($1, $2)', [...keys]).catch(() => undefined);
        await c.end().catch(() => undefined);
      }
      setRole(false);
    },
  };
}
