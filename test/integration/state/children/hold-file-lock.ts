/** Child: takes the file state lock, prints its LockOwner as one JSON line, then holds it until stdin closes. */
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
process.stdout.write(`${JSON.stringify(lock.info)}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void lock.release().then(() => process.exit(0));
});
