/**
 * One held PostgreSQL state lock: a dedicated session holding the advisory locks, on which every commit of the run
 * is also made (see postgres-state-store.ts for the conflict rules).
 */
import type { PoolClient } from 'pg';
import { CfgitopsError } from '../errors.js';
import { parseAddressKey } from '../kinds/registry.js';
import { advisoryLockKeys } from './advisory-lock-key.js';
import { checkStateChanges } from './check-state-changes.js';
import { checkStateDocument } from './check-state-document.js';
import { randomId } from './random-id.js';
import { readPostgresState } from './read-postgres-state.js';
import { SerialQueue } from './serial-queue.js';
import {
  applyStateChangesInPlace,
  type LockOwner,
  type StateChange,
  type StateDocument,
  type StateLock,
} from './types.js';

export interface LockScope {
  /** `*` (the workspace) or an account id. */
  scope: string;
  shared: boolean;
}

export interface PostgresStateLockDeps {
  client: PoolClient;
  workspace: string;
  describe: string;
  info: LockOwner;
  scopes: readonly LockScope[];
  /** Undefined: a whole-state lock. */
  accounts: readonly string[] | undefined;
  random: () => number;
  now: () => number;
  ioError: (what: string, e: unknown) => CfgitopsError;
}

export class PostgresStateLock implements StateLock {
  #info: LockOwner;
  readonly #d: PostgresStateLockDeps;
  readonly #queue = new SerialQueue();
  readonly #held: LockScope[] = [];
  #doc: StateDocument | undefined;
  /** Per-account lock: the serial of the last commit this lock saw touch each of its accounts. */
  readonly #accountSerials = new Map<string, number>();
  #lost: Error | undefined;
  #released = false;

  constructor(deps: PostgresStateLockDeps) {
    this.#d = deps;
    this.#info = deps.info;
    // A session ended under us (force-unlock, server restart) emits here; without a listener it would crash the run.
    deps.client.on('error', (e) => {
      this.#lost = e;
    });
  }

  /** All scopes or none: a partial set is released at once so two waiters never hold halves of each other's. */
  async tryAcquire(): Promise<boolean> {
    for (const s of this.#d.scopes) {
      const fn = s.shared ? 'pg_try_advisory_lock_shared' : 'pg_try_advisory_lock';
      const { rows } = await this.#d.client.query<{ ok: boolean }>(`SELECT ${fn}($1, $2) AS ok`, [
        ...advisoryLockKeys(this.#d.workspace, s.scope),
      ]);
      if (rows[0]?.ok !== true) {
        await this.#unlockHeld();
        return false;
      }
      this.#held.push(s);
    }
    return true;
  }

  get info(): LockOwner {
    return this.#info;
  }

  /** Records the holder, makes sure the workspace exists (one lineage for every run), reads the state. */
  async start(): Promise<void> {
    const { client, workspace, accounts, describe } = this.#d;
    const info = { ...this.#info, acquired_at: new Date(this.#d.now()).toISOString() };
    this.#info = info;
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const holder = { ...info, backend_pid: rows[0]!.pid, ...(accounts ? { accounts } : {}) };
    const holderScopes = accounts ?? ['*'];
    await client.query(
      `INSERT INTO cfgitops_locks (workspace, scope, holder) SELECT $1, unnest($2::text[]), $3::jsonb
       ON CONFLICT (workspace, scope) DO UPDATE SET holder = EXCLUDED.holder`,
      [workspace, holderScopes, JSON.stringify(holder)],
    );
    await client.query(
      `INSERT INTO cfgitops_workspaces (workspace, format_version, lineage, serial) VALUES ($1, 1, $2, 0)
       ON CONFLICT (workspace) DO NOTHING`,
      [workspace, randomId(this.#d.random)],
    );
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      this.#doc = await readPostgresState(client, workspace, describe);
      if (accounts) {
        const serials = await client.query<{ account: string; serial: string }>(
          'SELECT account, serial FROM cfgitops_account_serials WHERE workspace = $1 AND account = ANY($2)',
          [workspace, accounts],
        );
        for (const a of accounts) this.#accountSerials.set(a, 0);
        for (const r of serials.rows) this.#accountSerials.set(r.account, Number(r.serial));
      }
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  current(): StateDocument {
    if (!this.#doc) throw new CfgitopsError('E_INTERNAL', 'state lock used before it was taken');
    return this.#doc;
  }

  commit(changes: readonly StateChange[]): Promise<StateDocument> {
    return this.#queue.run(() => {
      checkStateChanges(changes);
      // The applied config is workspace-wide: a run holding only some accounts must not overwrite it.
      if (this.#d.accounts && changes.some((c) => c.type === 'put-config')) {
        throw new CfgitopsError('E_INTERNAL', 'recording the applied config needs a whole-state lock');
      }
      return this.#transaction(changes, false);
    });
  }

  replace(doc: StateDocument): Promise<StateDocument> {
    return this.#queue.run(() => {
      if (this.#d.accounts) {
        throw new CfgitopsError('E_INTERNAL', 'replacing the whole state needs a whole-state lock');
      }
      return this.#transaction([], checkStateDocument(structuredClone(doc), 'the replacement state'));
    });
  }

  release(): Promise<void> {
    return this.#queue.run(async () => {
      if (this.#released) return;
      this.#released = true;
      await this.abandon();
    });
  }

  /** Unlocks and gives the session back; a broken session is destroyed (which ends its locks anyway). */
  async abandon(): Promise<void> {
    const { client, workspace } = this.#d;
    const info = this.#info;
    this.#released = true;
    if (this.#lost) {
      client.release(this.#lost);
      return;
    }
    try {
      await client.query("DELETE FROM cfgitops_locks WHERE workspace = $1 AND holder->>'id' = $2", [
        workspace,
        info.id,
      ]);
      await client.query('SELECT pg_advisory_unlock_all()');
      client.release();
    } catch (e) {
      client.release(e instanceof Error ? e : new Error('release failed'));
    }
  }

  async #unlockHeld(): Promise<void> {
    for (const s of this.#held.splice(0).reverse()) {
      const fn = s.shared ? 'pg_advisory_unlock_shared' : 'pg_advisory_unlock';
      await this.#d.client.query(`SELECT ${fn}($1, $2)`, [...advisoryLockKeys(this.#d.workspace, s.scope)]);
    }
  }

  async #transaction(changes: readonly StateChange[], replacement: StateDocument | false): Promise<StateDocument> {
    const { client, workspace, describe, accounts } = this.#d;
    if (this.#released) throw new CfgitopsError('E_INTERNAL', `commit after the lock on ${describe} was released`);
    const doc = this.current();
    if (this.#lost) throw this.#lockLost();
    let serial: number;
    const touched = new Set<string>();
    try {
      await client.query('BEGIN');
      const head = await client.query<{ lineage: string; serial: string }>(
        'SELECT lineage, serial FROM cfgitops_workspaces WHERE workspace = $1 FOR UPDATE',
        [workspace],
      );
      const row = head.rows[0];
      if (row === undefined || row.lineage !== doc.lineage) throw this.#conflict(doc, row);
      if (accounts === undefined) {
        if (Number(row.serial) !== doc.serial) throw this.#conflict(doc, row);
      } else {
        const current = await client.query<{ account: string; serial: string }>(
          'SELECT account, serial FROM cfgitops_account_serials WHERE workspace = $1 AND account = ANY($2)',
          [workspace, accounts],
        );
        for (const a of accounts) {
          const now = Number(current.rows.find((r) => r.account === a)?.serial ?? 0);
          if (now !== this.#accountSerials.get(a)) throw this.#conflict(doc, row, a);
        }
      }
      serial = replacement ? replacement.serial : Number(row.serial) + 1;
      if (replacement) await this.#replaceRows(replacement, touched);
      for (const c of changes) await this.#applyRow(c, touched);
      const foreign = accounts ? [...touched].filter((a) => !accounts.includes(a)) : [];
      if (foreign.length > 0) {
        throw new CfgitopsError(
          'E_INTERNAL',
          `${describe}: a commit touched account ${foreign.join(', ')} outside this run's account lock`,
        );
      }
      await client.query(
        'UPDATE cfgitops_workspaces SET serial = $2, lineage = $3, updated_at = now() WHERE workspace = $1',
        [workspace, serial, replacement ? replacement.lineage : doc.lineage],
      );
      await client.query(
        `INSERT INTO cfgitops_account_serials (workspace, account, serial) SELECT $1, unnest($2::text[]), $3
         ON CONFLICT (workspace, account) DO UPDATE SET serial = EXCLUDED.serial`,
        [workspace, [...touched], serial],
      );
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (this.#lost) throw this.#lockLost();
      throw this.#d.ioError('cannot commit the state', e);
    }
    for (const a of touched) if (this.#accountSerials.has(a)) this.#accountSerials.set(a, serial);
    if (replacement) {
      this.#doc = replacement;
    } else {
      // In place: copying the whole document per commit made each one O(state) (see StateLock.current()).
      applyStateChangesInPlace(doc, changes);
      doc.serial = serial;
    }
    return this.current();
  }

  async #applyRow(c: StateChange, touched: Set<string>): Promise<void> {
    const { client, workspace } = this.#d;
    switch (c.type) {
      case 'put-resource': {
        const key = `${c.resource.kind}/${c.resource.account}/${c.resource.name}`;
        await client.query(
          `INSERT INTO cfgitops_resources (workspace, key, account, doc) VALUES ($1, $2, $3, $4::jsonb)
           ON CONFLICT (workspace, key) DO UPDATE SET doc = EXCLUDED.doc`,
          [workspace, key, c.resource.account, JSON.stringify(c.resource)],
        );
        touched.add(c.resource.account);
        return;
      }
      case 'remove-resource': {
        const parsed = parseAddressKey(c.key);
        if (parsed) touched.add(parsed.account);
        const { rows } = await client.query<{ account: string }>(
          'DELETE FROM cfgitops_resources WHERE workspace = $1 AND key = $2 RETURNING account',
          [workspace, c.key],
        );
        for (const r of rows) touched.add(r.account);
        return;
      }
      case 'put-intent': {
        const { rows } = await client.query<{ account: string }>(
          `INSERT INTO cfgitops_intents (workspace, id, account, doc) VALUES ($1, $2, $3, $4::jsonb)
           ON CONFLICT (workspace, id) DO UPDATE SET doc = EXCLUDED.doc, account = EXCLUDED.account
           RETURNING account`,
          [workspace, c.intent.id, c.intent.account, JSON.stringify(c.intent)],
        );
        for (const r of rows) touched.add(r.account);
        return;
      }
      case 'remove-intent': {
        const { rows } = await client.query<{ account: string }>(
          'DELETE FROM cfgitops_intents WHERE workspace = $1 AND id = $2 RETURNING account',
          [workspace, c.id],
        );
        for (const r of rows) touched.add(r.account);
        return;
      }
      case 'put-config': {
        await client.query('UPDATE cfgitops_workspaces SET applied_config = $2::jsonb WHERE workspace = $1', [
          workspace,
          JSON.stringify(c.config),
        ]);
        return;
      }
    }
  }

  /** The whole document in a few set-based statements (a migration may carry thousands of rows). */
  async #replaceRows(doc: StateDocument, touched: Set<string>): Promise<void> {
    const { client, workspace } = this.#d;
    await client.query('DELETE FROM cfgitops_resources WHERE workspace = $1', [workspace]);
    await client.query('DELETE FROM cfgitops_intents WHERE workspace = $1', [workspace]);
    await client.query('DELETE FROM cfgitops_account_serials WHERE workspace = $1', [workspace]);
    await client.query('UPDATE cfgitops_workspaces SET applied_config = $2::jsonb WHERE workspace = $1', [
      workspace,
      doc.applied_config ? JSON.stringify(doc.applied_config) : null,
    ]);
    await client.query(
      `INSERT INTO cfgitops_resources (workspace, key, account, doc)
       SELECT $1, r.key, r.value->>'account', r.value FROM jsonb_each($2::jsonb) AS r`,
      [workspace, JSON.stringify(doc.resources)],
    );
    await client.query(
      `INSERT INTO cfgitops_intents (workspace, id, account, doc)
       SELECT $1, i.key, i.value->>'account', i.value FROM jsonb_each($2::jsonb) AS i`,
      [workspace, JSON.stringify(doc.pending)],
    );
    for (const r of Object.values(doc.resources)) touched.add(r.account);
    for (const i of Object.values(doc.pending)) touched.add(i.account);
  }

  #conflict(doc: StateDocument, row: { lineage: string; serial: string } | undefined, account?: string): CfgitopsError {
    const found = row ? `lineage ${row.lineage} serial ${row.serial}` : 'no state';
    const scope = account ? ` (account ${account} was changed by another writer)` : '';
    return new CfgitopsError(
      'E_STATE_CONFLICT',
      `${this.#d.describe} changed underneath this run: expected lineage ${doc.lineage} serial ${doc.serial}, found ${found}${scope}`,
      { hint: 'another writer ignored the lock; run plan again' },
    );
  }

  #lockLost(): CfgitopsError {
    return new CfgitopsError('E_STATE_CONFLICT', `${this.#d.describe}: this run lost its lock session`, {
      hint: 'the lock was force-unlocked or the database connection dropped; run plan again',
    });
  }
}
