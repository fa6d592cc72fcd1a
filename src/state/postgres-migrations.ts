/**
 * cfgitops owns its schema: versioned migrations applied in one transaction under a transaction-level advisory lock,
 * so runners starting at once on a fresh database take turns instead of racing on CREATE TABLE. Every table is keyed
 * by workspace, so several desired-state repositories can share one database.
 */
import type { ClientBase } from 'pg';
import { CfgitopsError } from '../errors.js';
import { MIGRATION_LOCK_KEYS } from './advisory-lock-key.js';

export const POSTGRES_MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE cfgitops_workspaces (
        workspace text PRIMARY KEY,
        format_version integer NOT NULL,
        lineage text NOT NULL,
        serial bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE cfgitops_resources (
        workspace text NOT NULL REFERENCES cfgitops_workspaces ON DELETE CASCADE,
        key text NOT NULL,
        account text NOT NULL,
        doc jsonb NOT NULL,
        PRIMARY KEY (workspace, key)
      );
      CREATE TABLE cfgitops_intents (
        workspace text NOT NULL REFERENCES cfgitops_workspaces ON DELETE CASCADE,
        id text NOT NULL,
        account text NOT NULL,
        doc jsonb NOT NULL,
        PRIMARY KEY (workspace, id)
      );
      -- The serial of the last commit that touched each account: the conflict check of per-account locks.
      CREATE TABLE cfgitops_account_serials (
        workspace text NOT NULL REFERENCES cfgitops_workspaces ON DELETE CASCADE,
        account text NOT NULL,
        serial bigint NOT NULL,
        PRIMARY KEY (workspace, account)
      );
      -- Who holds an advisory lock (for messages and force-unlock); the advisory lock itself is the truth.
      CREATE TABLE cfgitops_locks (
        workspace text NOT NULL,
        scope text NOT NULL,
        holder jsonb NOT NULL,
        PRIMARY KEY (workspace, scope)
      );
    `,
  },
  {
    // The sink and guardrail config of the last successful apply (StateDocument.applied_config); NULL: none yet.
    version: 2,
    sql: `ALTER TABLE cfgitops_workspaces ADD COLUMN applied_config jsonb;`,
  },
];

export const POSTGRES_SCHEMA_VERSION = Math.max(...POSTGRES_MIGRATIONS.map((m) => m.version));

/** Brings the schema up to date; refuses a database migrated by a newer cfgitops. Returns the versions applied. */
export async function migratePostgresSchema(client: ClientBase, where: string): Promise<number[]> {
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...MIGRATION_LOCK_KEYS]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS cfgitops_schema_migrations (
         version integer PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM cfgitops_schema_migrations',
    );
    const current = rows[0]?.version ?? 0;
    if (current > POSTGRES_SCHEMA_VERSION) {
      throw new CfgitopsError(
        'E_STATE_VERSION',
        `${where}: the database schema is at version ${current}, newer than this cfgitops understands (${POSTGRES_SCHEMA_VERSION})`,
        { hint: 'upgrade cfgitops to the version that migrated this database' },
      );
    }
    for (const migration of POSTGRES_MIGRATIONS) {
      if (migration.version <= current) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO cfgitops_schema_migrations (version) VALUES ($1)', [migration.version]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
  return applied;
}
