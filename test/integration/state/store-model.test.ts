import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { systemClock } from '../../../src/effects.js';
import { silentLogger } from '../../../src/log.js';
import { addressKey } from '../../../src/resources.js';
import { createFileStateStore } from '../../../src/state/file-state-store.js';
import { applyStateChanges, type StateChange, type StateStore } from '../../../src/state/types.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { PgStores } from './pg-test-store.js';
import { ACCOUNT_A, ACCOUNT_B, createIntent, tokenResource } from './state-fixtures.js';

let server: TestPostgres;
let dir: string;
const pgStores = new PgStores(() => server.url);
let n = 0;

beforeAll(async () => {
  server = await startPostgres();
  dir = await mkdtemp(join(tmpdir(), 'cfgitops-model-'));
});
afterAll(async () => {
  await pgStores.closeAll();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

// Small pools of names and ids so that puts overwrite and removes hit existing entries.
const name = fc.constantFrom('a', 'b', 'c');
const account = fc.constantFrom(ACCOUNT_A, ACCOUNT_B);
const change: fc.Arbitrary<StateChange> = fc.oneof<fc.Arbitrary<StateChange>[]>(
  fc.tuple(name, account, fc.constantFrom('id-1', 'id-2'), fc.boolean()).map(([n, a, id, pd]) => ({
    type: 'put-resource' as const,
    resource: { ...tokenResource(n, a, id), prevent_destroy: pd },
  })),
  fc.tuple(name, account).map(([n, a]) => ({ type: 'remove-resource' as const, key: addressKey(tokenResource(n, a)) })),
  fc
    .tuple(fc.constantFrom('i1', 'i2'), name, account)
    .map(([id, n, a]) => ({ type: 'put-intent' as const, intent: createIntent(id, n, a) })),
  fc.constantFrom('i1', 'i2').map((id) => ({ type: 'remove-intent' as const, id })),
);
const batches = fc.array(fc.array(change, { maxLength: 4 }), { minLength: 1, maxLength: 6 });

async function modelCheck(store: StateStore, commits: StateChange[][]): Promise<void> {
  const lock = await store.lock('apply', 0);
  let model = lock.current();
  for (const changes of commits) {
    model = { ...applyStateChanges(model, changes), serial: model.serial + 1 };
    expect(await lock.commit(changes)).toEqual(model);
  }
  await lock.release();
  expect(await store.read()).toEqual(model);
}

describe('every backend behaves like applyStateChanges', () => {
  test('GIVEN any sequence of committed change batches THEN the file store reads back the model', async () => {
    await fc.assert(
      fc.asyncProperty(batches, async (commits) => {
        const store = createFileStateStore({
          path: join(dir, `state-${++n}.json`),
          clock: systemClock,
          random: Math.random,
          hostname: hostname(),
          pid: process.pid,
          owner: 'model',
          log: silentLogger(),
        });
        await modelCheck(store, commits);
      }),
      { numRuns: 25 },
    );
  });

  test('GIVEN any sequence of committed change batches THEN the postgres store reads back the model', async () => {
    await fc.assert(
      fc.asyncProperty(batches, async (commits) => {
        await modelCheck(pgStores.open(`model-${++n}`), commits);
      }),
      { numRuns: 25 },
    );
  });
});

describe('every backend refuses entries the state schema does not allow', () => {
  const leaky = { ...tokenResource('leaky'), value: 'cf-token-value-that-must-never-be-stored' };
  test.each([
    [
      'file',
      () =>
        createFileStateStore({
          path: join(dir, `refuse-${++n}.json`),
          clock: systemClock,
          random: Math.random,
          hostname: hostname(),
          pid: process.pid,
          owner: 'model',
          log: silentLogger(),
        }),
    ],
    ['postgres', () => pgStores.open(`refuse-${++n}`)],
  ])(
    'GIVEN a %s store WHEN a change carries a token value THEN E_INTERNAL and nothing is written',
    async (_name, open) => {
      const store = open();
      const lock = await store.lock('apply', 0);
      const error = await lock
        .commit([{ type: 'put-resource', resource: leaky as unknown as ReturnType<typeof tokenResource> }])
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'E_INTERNAL' });
      expect(JSON.stringify(error)).not.toContain(leaky.value);
      await lock.commit([{ type: 'put-resource', resource: tokenResource('fine') }]);
      await lock.release();
      const doc = await store.read();
      expect(doc.serial).toBe(1);
      expect(JSON.stringify(doc)).not.toContain(leaky.value);
    },
  );
});
