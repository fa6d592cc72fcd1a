/**
 * Child: commits forever under the file lock, printing each committed serial after the write returns. The parent
 * SIGKILLs it at an arbitrary moment and checks the file is the last printed serial or the one after, never partial.
 */
import { hostname } from 'node:os';
import { systemClock } from '../../../../src/effects.js';
import { createFileStateStore } from '../../../../src/state/file-state-store.js';

const path = process.argv[2]!;
const store = createFileStateStore({
  path,
  clock: systemClock,
  random: Math.random,
  hostname: hostname(),
  pid: process.pid,
  owner: 'child@test',
});
const lock = await store.lock('apply', 0);
const account = '0123456789abcdef0123456789abcdef';
for (let i = 0; ; i++) {
  const now = new Date().toISOString();
  const doc = await lock.commit([
    {
      type: 'put-resource',
      resource: {
        kind: 'AccountToken',
        account,
        name: `token-${i % 50}`,
        id: `id-${i}`.padEnd(32, 'x'),
        cf_name: `token-${i}`,
        created_at: now,
        updated_at: now,
      },
    },
  ]);
  process.stdout.write(`${doc.serial}\n`);
}
