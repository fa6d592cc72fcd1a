import { hostname } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { systemClock } from '../../../src/effects.js';
import { silentLogger } from '../../../src/log.js';
import { createPostgresStateStore, type PostgresStateStoreOptions } from '../../../src/state/postgres-state-store.js';
import type { StateStore } from '../../../src/state/types.js';
import { makeUnrelatedCa, startPostgres, TEST_PG_PASSWORD, type TestPostgres } from '../../support/postgres.js';

const external = process.env['CFGITOPS_TEST_PG_URL'] !== undefined;
let server: TestPostgres;
let otherCa: string;
const open: StateStore[] = [];

beforeAll(async () => {
  if (external) return;
  server = await startPostgres({ tls: true });
  // A second CA that did not sign the server certificate.
  otherCa = await makeUnrelatedCa();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  if (!external) await server.stop();
});

function store(ssl: PostgresStateStoreOptions['ssl']): StateStore {
  const s = createPostgresStateStore({
    url: server.url,
    ssl,
    workspace: 'tls',
    clock: systemClock,
    random: Math.random,
    hostname: hostname(),
    pid: process.pid,
    owner: 'tester@host',
    log: silentLogger(),
  });
  open.push(s);
  return s;
}

describe.skipIf(external)('postgres state store over TLS', () => {
  test.each([
    ['the CA that signed the server certificate', () => ({ ca: server.ca! }), 'ok'],
    ['no verification', () => ({ rejectUnauthorized: false }), 'ok'],
    ['another CA', () => ({ ca: otherCa }), 'E_STATE_IO'],
    ['TLS off (the server accepts TLS only)', () => false, 'E_STATE_IO'],
  ])('GIVEN ssl with %s WHEN preparing the schema THEN %s', async (_name, ssl, expected) => {
    const result = await store(ssl()).init!().then(
      () => 'ok',
      (e: unknown) => e,
    );
    if (expected === 'ok') {
      expect(result).toBe('ok');
    } else {
      expect(result).toMatchObject({ code: expected });
      expect(JSON.stringify(result)).not.toContain(TEST_PG_PASSWORD);
      expect((result as Error).message).not.toContain(TEST_PG_PASSWORD);
    }
  });
});
