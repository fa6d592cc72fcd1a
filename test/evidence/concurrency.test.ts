/**
 * Two applies at once on the same state (real child processes of the built CLI): while one holds the lock, a second
 * without a lock timeout fails at once with E_STATE_LOCKED naming the holder's pid, and a third with --lock-timeout
 * waits its turn and then finds nothing left to do. No lost update: afterwards everything exists exactly once and
 * state knows all of it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { systemClock } from '../../src/effects.js';
import { spawnCli } from '../support/cli.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { assertNoSecretIn } from '../support/leaks.js';
import { createWorkspace, type Workspace } from '../support/workspace.js';
import { convergenceProblems, EXAMPLE_DESIRED } from './support/converged.js';

let emulator: TestEmulator;
let ws: Workspace;
/** The emulator holds the first create here until the test opens the gate: the first run is then surely inside
 * its lock (taken before planning) while the others start, however slow the machine. */
const GATE_MS = 7777;
let arrived: () => void = () => undefined;
const holding = new Promise<void>((resolve) => (arrived = resolve));
let open: () => void = () => undefined;
const gate = new Promise<void>((resolve) => (open = resolve));

beforeAll(async () => {
  emulator = await startTestEmulator({
    rateLimit: false,
    faults: [{ kind: 'latency', method: 'POST', ms: GATE_MS, times: 1 }],
    clock: {
      now: () => Date.now(),
      sleep: (ms, signal) => {
        if (ms !== GATE_MS) return systemClock.sleep(ms, signal);
        arrived();
        return gate;
      },
    },
  });
  ws = await createWorkspace(emulator);
});
afterAll(async () => {
  await ws.cleanup();
  await emulator.close();
});

describe('GIVEN an apply holding the state lock', () => {
  test('WHEN a second apply starts THEN it fails naming the holder, a waiting one goes next, nothing is lost', async () => {
    const first = spawnCli(['apply', '--auto-approve'], { cwd: ws.dir, env: ws.env });
    await holding;
    const refused = spawnCli(['apply', '--auto-approve'], { cwd: ws.dir, env: ws.env });
    const waiting = spawnCli(['apply', '--auto-approve', '--lock-timeout', '5m'], { cwd: ws.dir, env: ws.env });
    const b = await refused.exited;
    open();
    const [a, c] = await Promise.all([first.exited, waiting.exited]);
    expect(a.code, first.stderr()).toBe(0);
    expect(b.code).toBe(1);
    expect(refused.stderr()).toMatch(/E_STATE_LOCKED/);
    expect(refused.stderr()).toContain(`pid ${first.child.pid}`);
    expect(c.code, waiting.stderr()).toBe(0);
    expect(waiting.stdout()).toMatch(/No changes/);

    expect(await convergenceProblems(emulator, ws, EXAMPLE_DESIRED)).toEqual([]);
    const outputs = [first, refused, waiting].flatMap((r) => [r.stdout(), r.stderr()]);
    outputs.push(await ws.read('.cfgitops/state.json'));
    await assertNoSecretIn(emulator, outputs, ws.env);
  });
});
