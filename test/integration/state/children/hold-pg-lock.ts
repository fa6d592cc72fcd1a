/** Child: takes the PostgreSQL state lock for a workspace, prints its LockOwner as one JSON line, then holds it. */
import { hostname } from 'node:os';
import { systemClock } from '../../../../src/effects.js';
import { createPostgresStateStore } from '../../../../src/state/postgres-state-store.js';

const workspace = process.argv[2]!;
const accounts = process.argv[3] === undefined ? undefined : process.argv[3].split(',');
const store = createPostgresStateStore({
  env: process.env,
  workspace,
  clock: systemClock,
  random: Math.random,
  hostname: hostname(),
  pid: process.pid,
  owner: 'child@test',
});
const lock = await store.lock('apply', 0, accounts ? { accounts } : {});
process.stdout.write(`${JSON.stringify(lock.info)}\n`);
// Held until the parent kills this process.
setInterval(() => undefined, 60_000);
