/**
 * cfgitops owns its schema: versioned migrations applied in one transaction under a transaction-level advisory lock,
 * so runners starting at once on a fresh database take turns instead of racing on CREATE TABLE. Every table is keyed
 * by workspace, so several desired-state repositories can share one database.
 *
 * Least privilege (docs/security.md): only writing commands migrate (`apply`, `rotate`, `import`, `state init`,
 * `state migrate`, …), and only when the schema is behind — an up-to-date schema needs no DDL, so an apply role with
 * table privileges alone works. `plan` and `drift` only read the version (`checkSchemaReadable`): they run on pull
 * requests with a SELECT-only role.
 */
import type { ClientBase } from 'pg';
import type { Queryable } from './read-postgres-state.js';
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

/** The schema's version without touching anything: undefined when cfgitops never created it in this database. */
export async function readSchemaVersion(q: Queryable): Promise<number | undefined> {
  // to_regclass looks the table up through search_path, like every unqualified name cfgitops uses.
  const { rows: found } = await q.query<{ t: string | null }>(
    "SELECT to_regclass('cfgitops_schema_migrations')::text AS t",
  );
  if (found[0]?.t == null) return undefined;
  const { rows } = await q.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM cfgitops_schema_migrations',
  );
  return rows[0]?.version ?? 0;
}

/**
 * For read-only commands: the schema must exist and be current, since they may not create or migrate it. Says what
 * is missing and which command prepares it.
 */
export async function checkSchemaReadable(q: Queryable, where: string): Promise<void> {
  const current = await readSchemaVersion(q);
  if (current === undefined || current < POSTGRES_SCHEMA_VERSION) {
    const what =
      current === undefined
        ? 'the cfgitops tables do not exist yet (no table cfgitops_schema_migrations on the search_path)'
        : `the cfgitops schema is at version ${current}; this cfgitops needs version ${POSTGRES_SCHEMA_VERSION}`;
    throw new CfgitopsError('E_STATE_SCHEMA', `${where}: ${what}, and read-only commands never create or migrate it`, {
      hint: 'run `cfgitops state init` once with the apply role (or any apply, which prepares it) — see docs/security.md for the GRANTs',
    });
  }
  if (current > POSTGRES_SCHEMA_VERSION) throw newerSchema(where, current);
}

function newerSchema(where: string, current: number): CfgitopsError {
  return new CfgitopsError(
    'E_STATE_VERSION',
    `${where}: the database schema is at version ${current}, newer than this cfgitops understands (${POSTGRES_SCHEMA_VERSION})`,
    { hint: 'upgrade cfgitops to the version that migrated this database' },
  );
}

/** Brings the schema up to date; refuses a database migrated by a newer cfgitops. Returns the versions applied. */
export async function migratePostgresSchema(client: ClientBase, where: string): Promise<number[]> {
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...MIGRATION_LOCK_KEYS]);
    // Read first: even CREATE TABLE IF NOT EXISTS needs CREATE on the schema, which a current schema never needs.
    const found = await readSchemaVersion(client);
    if (found === undefined) {
      await client.query(
        `CREATE TABLE cfgitops_schema_migrations (
           version integer PRIMARY KEY,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
    }
    const current = found ?? 0;
    if (current > POSTGRES_SCHEMA_VERSION) throw newerSchema(where, current);
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
