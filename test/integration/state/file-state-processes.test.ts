import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { systemClock } from '../../../src/effects.js';
import { silentLogger } from '../../../src/log.js';
import { createFileStateStore } from '../../../src/state/file-state-store.js';
import type { LockOwner } from '../../../src/state/types.js';
import { bundleChild, startChild } from './child-bundle.js';

let dir: string;
let holdLock: string;
let commitLoop: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cfgitops-file-proc-'));
  holdLock = await bundleChild(fileURLToPath(new URL('children/hold-file-lock.ts', import.meta.url)));
  commitLoop = await bundleChild(fileURLToPath(new URL('children/commit-loop.ts', import.meta.url)));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function store(path: string) {
  return createFileStateStore({
    path,
    clock: systemClock,
    random: Math.random,
    hostname: hostname(),
    pid: process.pid,
    owner: 'parent@test',
    log: silentLogger(),
  });
}

describe('file state store across processes', () => {
  test('GIVEN a child process holding the lock WHEN this process locks THEN E_STATE_LOCKED names the child; after the child releases, the lock is ours', async () => {
    const path = join(dir, 'two-procs', 'state.json');
    const child = startChild(holdLock, [path]);
    const info = JSON.parse(await child.nextLine()) as LockOwner;
    expect(info.pid).toBe(child.process.pid);

    const s = store(path);
    await expect(s.lock('apply', 0)).rejects.toMatchObject({ code: 'E_STATE_LOCKED' });
    expect(await s.lockHolder()).toEqual(info);

    child.process.stdin!.end();
    expect((await child.exited).code).toBe(0);
    const lock = await s.lock('apply', 0);
    expect(lock.info.pid).toBe(process.pid);
    await lock.release();
  });

  test('GIVEN a child committing in a loop WHEN it is SIGKILLed at an arbitrary moment THEN the state is whole (at or after the last reported serial) and its dead lock is taken over', async () => {
    const path = join(dir, 'sigkill', 'state.json');
    const child = startChild(commitLoop, [path]);
    let last = 0;
    for (let i = 0; i < 40; i++) last = Number(await child.nextLine());
    child.process.kill('SIGKILL');
    expect((await child.exited).signal).toBe('SIGKILL');

    const s = store(path);
    const doc = await s.read();
    expect(doc.serial).toBeGreaterThanOrEqual(last);
    expect(Object.keys(doc.resources).length).toBe(Math.min(doc.serial, 50));
    expect((await s.lockHolder())?.pid).toBe(child.process.pid);

    const lock = await s.lock('apply', 0);
    expect(lock.current()).toEqual(doc);
    await lock.commit([]);
    await lock.release();
  });
});
