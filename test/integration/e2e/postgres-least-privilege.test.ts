/**
 * Least privilege on PostgreSQL state, with real roles on a real server: the roles and GRANTs exactly as
 * docs/security.md lists them. `plan` and `drift` run as a role that can only SELECT (as a pull-request job does);
 * `state init` and `apply` as the apply role. The plan role is shown to be really read-only: apply with it fails.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useE2eWorld } from '../../support/e2e-world.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';

let server: TestPostgres;
let admin: pg.Client;
let n = 0;

/** docs/security.md, "PostgreSQL roles" — keep the two in step. */
const GRANTS = `
  CREATE SCHEMA cfgitops;
  CREATE ROLE cfgitops_apply LOGIN PASSWORD 'apply-pw-never-printed';
  CREATE ROLE cfgitops_plan LOGIN PASSWORD 'plan-pw-never-printed';
  ALTER ROLE cfgitops_apply SET search_path = cfgitops;
  ALTER ROLE cfgitops_plan SET search_path = cfgitops;
  GRANT USAGE, CREATE ON SCHEMA cfgitops TO cfgitops_apply;
  GRANT USAGE ON SCHEMA cfgitops TO cfgitops_plan;
  ALTER DEFAULT PRIVILEGES FOR ROLE cfgitops_apply IN SCHEMA cfgitops GRANT SELECT ON TABLES TO cfgitops_plan;
`;

const world = useE2eWorld({
  setup: async () => {
    const db = `least_${++n}`;
    await admin.query(`CREATE DATABASE ${db}`);
    const c = new pg.Client({ connectionString: dbUrl(server.url, db) });
    await c.connect();
    // Roles are cluster-wide: create them once, the schema and grants per database.
    const exists = (await c.query("SELECT 1 FROM pg_roles WHERE rolname = 'cfgitops_plan'")).rowCount === 1;
    await c.query(
      exists
        ? GRANTS.split('\n')
            .filter((l) => !/CREATE ROLE|ALTER ROLE/.test(l))
            .join('\n')
        : GRANTS,
    );
    await c.end();
    const config = await world.ws.read('desired-state/cfgitops.yaml');
    await world.ws.write(
      'desired-state/cfgitops.yaml',
      config.replace(/backend: file\n\s+path: \.cfgitops\/state\.json/, 'backend: postgres\n    workspace: prod'),
    );
    urls = {
      plan: roleUrl(dbUrl(server.url, db), 'cfgitops_plan', 'plan-pw-never-printed'),
      apply: roleUrl(dbUrl(server.url, db), 'cfgitops_apply', 'apply-pw-never-printed'),
    };
  },
});
let urls: { plan: string; apply: string };

beforeAll(async () => {
  server = await startPostgres();
  admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await server?.stop();
});

function dbUrl(url: string, db: string): string {
  return url.replace(/\/[^/?]+(\?|$)/, `/${db}$1`);
}

function roleUrl(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

function as(role: 'plan' | 'apply', ...argv: string[]) {
  world.ws.env['CFGITOPS_PG_URL'] = urls[role];
  return world.cli(...argv);
}

describe.skipIf(process.env['CFGITOPS_TEST_PG_URL'] !== undefined)(
  'PostgreSQL state with least-privilege roles',
  () => {
    test('GIVEN no schema yet WHEN planned as the SELECT-only role THEN E_STATE_SCHEMA says what is missing and creates nothing', async () => {
      const plan = await as('plan', 'plan');
      expect(plan.code).toBe(1);
      expect(plan.stderr).toContain('E_STATE_SCHEMA');
      expect(plan.stderr).toContain('cfgitops state init');
      const tables = await admin.query(
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'cfgitops'",
      );
      expect(tables.rows[0]).toEqual({ n: 0 });
    });

    test('GIVEN the schema made by `state init` as the apply role WHEN plan and drift run as the SELECT-only role and apply as the apply role THEN all succeed', async () => {
      const init = await as('apply', 'state', 'init');
      expect(init.code, init.stderr).toBe(0);
      expect(init.stdout).toMatch(/schema created or migrated to version \d+/);
      expect(init.stdout).not.toContain('apply-pw-never-printed');

      const planned = await as('plan', 'plan', '--detailed-exitcode');
      expect(planned.code, planned.stderr).toBe(2);
      const applied = await as('apply', 'apply', '--auto-approve');
      expect(applied.code, applied.stderr).toBe(0);
      const again = await as('plan', 'plan', '--detailed-exitcode');
      expect(again.code, again.stderr).toBe(0);
      const drift = await as('plan', 'drift');
      expect(drift.code, drift.stderr).toBe(0);

      // The plan role really is read-only: a writing command with it stops at the first write, saying why.
      const denied = await as('plan', 'state', 'rm', 'SecondaryDnsPeer/ns1-primary');
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/E_STATE_IO[\s\S]*permission denied/);
      expect(denied.stderr).toContain('docs/security.md');
      for (const out of [planned, applied, again, drift, denied]) {
        expect(out.stdout + out.stderr).not.toMatch(/(plan|apply)-pw-never-printed/);
      }
    });
  },
);
