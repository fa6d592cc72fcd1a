/**
 * The PostgreSQL backend: state as rows per workspace, commits as single transactions, and locks as session-level
 * advisory locks held on a dedicated connection for the lock's life — so a run that is SIGKILLed, or whose machine
 * disappears, loses its lock with its session and leaves nothing stale behind.
 *
 * Lock scopes: a whole-state lock takes the workspace key exclusively. A per-account lock takes the workspace key
 * shared plus each account key exclusively (in sorted order, all or nothing), so runs on disjoint accounts proceed in
 * parallel while a whole-state lock excludes them all.
 *
 * Conflict check: every commit locks the workspace row (SELECT … FOR UPDATE), which orders all commits. A whole-state
 * lock demands the workspace serial be exactly the one it last saw. A per-account lock cannot demand that — a run on
 * another account may have committed meanwhile, and refusing it would make parallel applies fail spuriously — so it
 * checks, per locked account, the serial of the last commit that touched that account (cfgitops_account_serials),
 * and refuses a commit touching any account outside its lock. The workspace serial still goes up by one per commit;
 * a per-account lock's `current()` is exact for its own accounts and may lag for the others.
 */
import type { Logger } from 'pino';
import { createRequire } from 'node:module';
import type pgModule from 'pg';
import type { Clock } from '../effects.js';
import { CfgitopsError } from '../errors.js';
import { Secret } from '../secret.js';
import { advisoryLockKeys } from './advisory-lock-key.js';
import { lockedError } from './lock-file.js';
import { checkSchemaReadable, migratePostgresSchema } from './postgres-migrations.js';
import { PostgresStateLock, type LockScope } from './postgres-state-lock.js';
import { readPostgresState, type Queryable } from './read-postgres-state.js';
import {
  checkConfiguredUrl,
  connectionPassword,
  redactConnectionString,
  resolvePostgresUrl,
  type Env,
} from './postgres-url.js';
import { randomId } from './random-id.js';
import type { LockOptions, LockOwner, StateDocument, StateLock, StateStore } from './types.js';

// pg (CommonJS) is loaded when a PostgreSQL store is made, not by every command that could name one.
const require = createRequire(import.meta.url);

export interface PostgresStateStoreOptions {
  /** Connection string; else `CFGITOPS_PG_URL`, else `DATABASE_URL` from `env`. */
  connectionString?: string | undefined;
  url?: string | undefined;
  env?: Env;
  ssl?: boolean | { rejectUnauthorized?: boolean; ca?: string } | undefined;
  workspace: string;
  clock: Clock;
  random: () => number;
  hostname: string;
  pid: number;
  owner: string;
  log?: Logger;
  pollIntervalMs?: number;
  poolSize?: number;
}

/** What is stored beside an advisory lock: the LockOwner plus the session that holds it. */
export interface StoredHolder extends LockOwner {
  backend_pid: number;
  accounts?: string[];
}

export function createPostgresStateStore(options: PostgresStateStoreOptions): StateStore {
  const configured = options.connectionString ?? options.url;
  const url = resolvePostgresUrl(configured, options.env ?? process.env);
  if (configured !== undefined) checkConfiguredUrl(url);
  const password = connectionPassword(url);
  // Registering the password makes the log scrubber remove it from any line, whatever the driver puts in it.
  if (password !== undefined) new Secret(password);
  const { workspace, clock, random, log } = options;
  const describe = `postgres workspace=${workspace} (${redactConnectionString(url)})`;
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const pg = require('pg') as typeof pgModule;
  const pool = new pg.Pool({
    connectionString: url,
    // A configured URL carries its own password or none: never PGPASSWORD or a ~/.pgpass entry sent to a host the
    // Config (a pull request) chose. A function is the one form node-postgres takes without falling back to either.
    ...(configured !== undefined ? { Client: clientWithPassword(password ?? '') } : {}),
    ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
    max: options.poolSize ?? 8,
  });
  pool.on('error', (e) => {
    log?.warn({ err: scrub(e.message) }, `${describe}: idle connection failed`);
  });

  function scrub(text: string): string {
    return password === undefined ? text : text.split(password).join('***');
  }

  function ioError(what: string, e: unknown): CfgitopsError {
    if (e instanceof CfgitopsError) return e;
    const detail = e instanceof Error ? scrub(e.message) : 'error';
    // 42501 insufficient_privilege: the role is short of a GRANT; say which role needs what.
    const denied = (e as { code?: unknown } | undefined)?.code === '42501';
    return new CfgitopsError('E_STATE_IO', `${describe}: ${what}: ${detail}`, {
      hint: denied
        ? 'the database role lacks a privilege: plan and drift need SELECT on the cfgitops_* tables, writing commands also INSERT, UPDATE and DELETE (creating the schema: CREATE on it) — docs/security.md lists the GRANTs'
        : 'check the connection string, network and database permissions',
    });
  }

  let ready: Promise<number[]> | undefined;
  let readable: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  /** Writing commands: create or migrate the schema when it is behind (no DDL at all when it is current). */
  function migrated(): Promise<number[]> {
    ready ??= (async () => {
      const client = await pool.connect();
      try {
        const applied = await migratePostgresSchema(client, describe);
        if (applied.length > 0) log?.info({ versions: applied }, `${describe}: schema migrated`);
        return applied;
      } finally {
        client.release();
      }
    })().catch((e: unknown) => {
      ready = undefined;
      throw ioError('cannot prepare the schema', e);
    });
    return ready;
  }

  /** Read-only commands (plan, drift, state list): the schema must be there already; nothing is created. */
  function schemaReadable(): Promise<void> {
    readable ??= (ready?.then(() => undefined) ?? checkSchemaReadable(pool, describe)).catch((e: unknown) => {
      readable = undefined;
      throw ioError('cannot read the schema version', e);
    });
    return readable;
  }

  async function read(): Promise<StateDocument> {
    await schemaReadable();
    const client = await pool.connect().catch((e: unknown) => {
      throw ioError('cannot connect', e);
    });
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const doc = await readPostgresState(client, workspace, describe);
      await client.query('COMMIT');
      return doc ?? emptyDoc();
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw ioError('cannot read the state', e);
    } finally {
      client.release();
    }
  }

  function emptyDoc(): StateDocument {
    return { format_version: 1, lineage: randomId(random), serial: 0, resources: {}, pending: {} };
  }

  /** Holders whose advisory lock is still granted to the session they recorded (rows of dead sessions are ignored). */
  async function liveHolders(q: Queryable): Promise<{ scope: string; holder: StoredHolder }[]> {
    const [workspaceKey] = advisoryLockKeys(workspace, '*');
    const rows = await q.query<{ scope: string; holder: StoredHolder }>(
      'SELECT scope, holder FROM cfgitops_locks WHERE workspace = $1 ORDER BY scope',
      [workspace],
    );
    const granted = await q.query<{ pid: number; objid: string }>(
      `SELECT pid, objid::text AS objid FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND classid = $1::bigint::oid AND objsubid = 2`,
      [workspaceKey],
    );
    return rows.rows.filter(({ scope, holder }) =>
      granted.rows.some(
        (g) => g.pid === holder.backend_pid && Number(g.objid) === advisoryLockKeys(workspace, scope)[1],
      ),
    );
  }

  async function lock(operation: string, timeoutMs: number, lockOptions: LockOptions = {}): Promise<StateLock> {
    await migrated();
    const accounts = lockOptions.accounts === undefined ? undefined : [...new Set(lockOptions.accounts)].sort();
    const scopes: LockScope[] =
      accounts === undefined
        ? [{ scope: '*', shared: false }]
        : [{ scope: '*', shared: true }, ...accounts.map((a) => ({ scope: a, shared: false }))];
    const client = await pool.connect().catch((e: unknown) => {
      throw ioError('cannot connect', e);
    });
    const info: LockOwner = {
      owner: options.owner,
      operation,
      pid: options.pid,
      host: options.hostname,
      acquired_at: new Date(clock.now()).toISOString(),
      id: randomId(random),
    };
    const stateLock = new PostgresStateLock({
      client,
      workspace,
      describe,
      info,
      scopes,
      accounts,
      random,
      now: () => clock.now(),
      ioError,
    });
    try {
      const deadline = clock.now() + timeoutMs;
      while (!(await stateLock.tryAcquire())) {
        const remaining = deadline - clock.now();
        if (remaining <= 0) {
          const holders = await liveHolders(client);
          const wanted = new Set(scopes.map((s) => s.scope));
          const blocking =
            holders.find((h) => accounts === undefined || wanted.has(h.scope) || h.scope === '*') ?? holders[0];
          throw lockedError(describe, blocking ? toLockOwner(blocking.holder) : unknownHolder());
        }
        await clock.sleep(Math.min(pollIntervalMs, remaining));
      }
      await stateLock.start();
      return stateLock;
    } catch (e) {
      await stateLock.abandon();
      throw ioError('cannot take the lock', e);
    }
  }

  async function forceUnlock(id?: string): Promise<LockOwner | undefined> {
    await migrated();
    try {
      const holders = await liveHolders(pool);
      const matching = holders.filter((h) => id === undefined || h.holder.id === id);
      const distinct = [...new Map(matching.map((h) => [h.holder.id, h.holder])).values()];
      if (distinct.length === 0) {
        if (holders.length > 0) {
          throw new CfgitopsError('E_STATE_LOCKED', `${describe}: no lock with id ${id ?? ''}`, {
            hint: `held by ${holders.map((h) => h.holder.id).join(', ')}`,
          });
        }
        // Only rows of sessions that are gone: tidy them, nothing to unlock.
        await pool.query('DELETE FROM cfgitops_locks WHERE workspace = $1', [workspace]);
        return undefined;
      }
      if (distinct.length > 1) {
        throw new CfgitopsError('E_STATE_LOCKED', `${describe}: ${distinct.length} runs hold account locks`, {
          hint: `name one: ${distinct.map((h) => h.id).join(', ')}`,
        });
      }
      const holder = distinct[0]!;
      // Ending the holder's session releases its advisory locks and, since it commits on that same session, also
      // guarantees that a run which was only hung can never write again after being unlocked.
      await pool.query('SELECT pg_terminate_backend($1, 10000)', [holder.backend_pid]);
      await pool.query("DELETE FROM cfgitops_locks WHERE workspace = $1 AND holder->>'id' = $2", [
        workspace,
        holder.id,
      ]);
      log?.warn({ holder: toLockOwner(holder) }, `${describe}: force-unlocked`);
      return toLockOwner(holder);
    } catch (e) {
      throw ioError('cannot force-unlock', e);
    }
  }

  return {
    describe: () => describe,
    read,
    lock,
    forceUnlock,
    init: async () => {
      const applied = await migrated();
      return applied.length > 0
        ? `${describe}: schema created or migrated to version ${Math.max(...applied)}`
        : `${describe}: schema already current`;
    },
    lockHolder: async () => {
      await schemaReadable();
      try {
        const holders = await liveHolders(pool);
        return holders[0] ? toLockOwner(holders[0].holder) : undefined;
      } catch (e) {
        throw ioError('cannot read the lock holder', e);
      }
    },
    close: () => {
      // Idempotent: the composition root and a command may both close the store.
      closing ??= pool.end();
      return closing;
    },
  };
}

/**
 * node-postgres fills a missing password from PGPASSWORD while parsing the connection string, and later from
 * ~/.pgpass; neither can be switched off by an option. A client whose password is fixed after construction sends
 * exactly the configured one (or an empty one) whatever the environment holds.
 */
function clientWithPassword(fixed: string): typeof pgModule.Client {
  const pg = require('pg') as typeof pgModule;
  return class ConfiguredPasswordClient extends pg.Client {
    constructor(config?: string | pgModule.ClientConfig) {
      super(config);
      Object.defineProperty(this, 'password', { configurable: true, enumerable: false, writable: true, value: fixed });
      Object.defineProperty((this as unknown as { connectionParameters: object }).connectionParameters, 'password', {
        configurable: true,
        enumerable: false,
        writable: true,
        value: fixed,
      });
    }
  };
}

function toLockOwner(h: StoredHolder): LockOwner {
  return { owner: h.owner, operation: h.operation, pid: h.pid, host: h.host, acquired_at: h.acquired_at, id: h.id };
}

function unknownHolder(): LockOwner {
  return { owner: 'unknown', operation: 'unknown', pid: 0, host: 'unknown', acquired_at: 'unknown', id: '' };
}
