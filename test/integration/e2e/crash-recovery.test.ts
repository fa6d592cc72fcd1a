/**
 * Nothing lost, nothing duplicated: an apply killed with SIGKILL at the two dangerous moments (between a peer's
 * POST and its PUT; between a token's create and its sink write), creates whose answers are lost, saved plans that
 * went stale, and two applies racing for the lock. Child processes run the built CLI (`npm test` builds first).
 */
import { describe, expect, test } from 'vitest';
import { spawnCli, killGroup, waitFor, type SpawnedCli } from '../../support/cli.js';
import { useE2eWorld } from '../../support/e2e-world.js';
import { liveResources, verifySinkValues } from '../../support/workspace.js';
import { access, writeFile, rm, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const children: SpawnedCli[] = [];
/** Exec sink commands run in their own process group: killed by pid, also when a test fails before doing so. */
const sinkPids: number[] = [];

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

const world = useE2eWorld({
  beforeScan: async () => {
    for (const pid of sinkPids.splice(0)) killPid(pid);
    for (const c of children.splice(0)) {
      killGroup(c);
      await c.exited;
      world.outputs.push(c.stdout(), c.stderr());
    }
  },
});
const { cli } = world;
const spawnApply = (...extra: string[]) => {
  const c = spawnCli(['apply', '--auto-approve', ...extra], { cwd: world.ws.dir, env: world.ws.env, detached: true });
  children.push(c);
  return c;
};
const setFaults = async (rules: unknown[]) => {
  expect((await world.emulator.control('PUT', '/faults', { rules })).status).toBe(200);
};
const requestCount = async (operationId: string): Promise<number> => {
  const res = await world.emulator.control('GET', '/requests');
  const counts = (res.body as { byOperation: Record<string, Record<string, number>> }).byOperation[operationId] ?? {};
  return Object.values(counts).reduce((a, b) => a + b, 0);
};

/** Converged: one live resource per desired name, nothing pending, every token value current, next plan empty. */
async function assertConverged(): Promise<void> {
  const live = await liveResources(world.emulator);
  const names = (list: { name: string }[]) => list.map((r) => r.name).sort();
  expect(names(live.tsigs)).toEqual(['tsig.ns1.example.com.']);
  expect(names(live.peers)).toEqual(['ns1.example.com', 'ns2.example.com']);
  expect(names(live.tokens)).toEqual(['cfgitops CI DNS edit', 'cfgitops logs reader', 'cfgitops zone read-only']);
  const state = await world.ws.stateFile();
  expect(state.pending).toEqual({});
  expect(Object.values(state.resources).every((r) => r.complete !== false)).toBe(true);
  expect(
    Object.values(state.resources)
      .filter((r) => r.kind === 'AccountToken')
      .every((r) => r.value_status === 'delivered'),
  ).toBe(true);
  const verified = await verifySinkValues(world.emulator, world.ws);
  expect(Object.keys(verified)).toHaveLength(3);
  const plan = await cli('plan', '--detailed-exitcode');
  expect(plan.code, plan.stdout + plan.stderr).toBe(0);
}

describe('GIVEN an apply killed with SIGKILL', () => {
  test('WHEN it dies between a peer POST and its PUT THEN the next apply finishes the peer without a duplicate', async () => {
    await setFaults([{ kind: 'hang', operationId: 'secondary-dns-(-peer)-update-peer' }]);
    const child = spawnApply();
    await waitFor(async () => (await requestCount('secondary-dns-(-peer)-update-peer')) > 0, 'the first peer PUT');
    killGroup(child);
    await child.exited;

    const state = await world.ws.stateFile();
    expect(Object.values(state.resources).some((r) => r.kind === 'SecondaryDnsPeer' && r.complete === false)).toBe(
      true,
    );

    await setFaults([]);
    const plan = await cli('plan', '--format', 'json');
    const steps = (JSON.parse(plan.stdout) as { steps: { action: string; reason: string }[] }).steps;
    expect(steps.some((s) => s.action === 'update' && /finish/i.test(s.reason))).toBe(true);
    const again = await cli('apply', '--auto-approve');
    expect(again.code, again.stderr).toBe(0);
    await assertConverged();
  });

  test('WHEN it dies between a token create and the sink write THEN the next apply rolls it and delivers a working value', async () => {
    // An exec sink that blocks while a marker file exists: the first run hangs in the sink, is killed there, and
    // the second run (marker removed) delivers.
    const script = join(world.ws.dir, 'sink.mjs');
    await writeFile(
      script,
      `import { readFileSync, writeFileSync, existsSync } from 'node:fs';
const value = readFileSync(0, 'utf8');
const dir = ${JSON.stringify(world.ws.dir)};
if (existsSync(dir + '/block')) {
  // Blocks in its own process group (the sink's), out of reach of killGroup(apply): it records its pid for the test
  // to kill, and ends by itself once the block file is gone or after a bound, so it can never be left behind.
  writeFileSync(dir + '/in-sink', String(process.pid));
  const started = Date.now();
  setInterval(() => { if (!existsSync(dir + '/block') || Date.now() - started > 60000) process.exit(1); }, 50);
} else {
  const file = dir + '/.cfgitops/secrets.json';
  const all = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  all[process.env.CFGITOPS_SECRET_KEY] = value;
  writeFileSync(file, JSON.stringify(all));
}
`,
    );
    const config = await world.ws.read('desired-state/cfgitops.yaml');
    await world.ws.write(
      'desired-state/cfgitops.yaml',
      config.replace(
        / {6}local:\n {8}type: file\n {8}path: \.cfgitops\/secrets\.json\n {8}format: json/,
        `      local:\n        type: exec\n        command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(script)}]\n        timeoutSeconds: 120`,
      ),
    );
    await writeFile(join(world.ws.dir, 'block'), '');
    const child = spawnApply('--concurrency', '1');
    await waitFor(
      async () =>
        access(join(world.ws.dir, 'in-sink')).then(
          () => true,
          () => false,
        ),
      'a token in its sink',
    );
    killGroup(child);
    await child.exited;
    const sinkPid = Number(await readFile(join(world.ws.dir, 'in-sink'), 'utf8'));
    sinkPids.push(sinkPid);
    killPid(sinkPid);

    const state = await world.ws.stateFile();
    const undelivered = Object.values(state.resources).filter((r) => r.value_status === 'undelivered');
    expect(undelivered).toHaveLength(1);

    await rm(join(world.ws.dir, 'block'));
    const plan = await cli('plan', '--format', 'json');
    const steps = (JSON.parse(plan.stdout) as { steps: { action: string; targetId?: string }[] }).steps;
    expect(steps.find((s) => s.targetId === undelivered[0]!.id)?.action).toBe('roll-secret');
    const again = await cli('apply', '--auto-approve');
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(world.ws.dir, '.cfgitops/secrets.json'), 'utf8'))).toHaveProperty(
      'zone-readonly',
    );
    await assertConverged();
  });
});

describe('GIVEN an apply that receives SIGTERM while a token create hangs', () => {
  test('WHEN terminated THEN the step in flight settles and is journaled, the lock is released, it exits 1 saying interrupted, and the next apply converges', async () => {
    // A hung request gives up after a second instead of 30 s, so the step in flight settles quickly.
    const config = await world.ws.read('desired-state/cfgitops.yaml');
    await world.ws.write(
      'desired-state/cfgitops.yaml',
      config.replace(
        '  api:\n',
        '  api:\n    timeoutSeconds: 1\n    retry:\n      retries: 1\n      deadlineSeconds: 2\n',
      ),
    );
    await setFaults([{ kind: 'hang', operationId: 'account-api-tokens-create-token' }]);
    const child = spawnApply('--concurrency', '1');
    await waitFor(async () => (await requestCount('account-api-tokens-create-token')) > 0, 'the first token create');
    child.child.kill('SIGTERM');
    const exit = await child.exited;

    expect(exit, child.stderr()).toEqual({ code: 1, signal: null });
    expect(child.stderr()).toMatch(/Interrupted \(SIGTERM\)/);
    await expect(access(join(world.ws.dir, '.cfgitops/state.json.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
    // Consistent: the run stopped early (tokens left to create), and at most the hung create is pending.
    const state = await world.ws.stateFile();
    const tokens = Object.values(state.resources).filter((r) => r.kind === 'AccountToken');
    expect(tokens.length).toBeLessThan(3);
    expect(Object.values(state.pending).every((i) => (i as { op: string }).op === 'create')).toBe(true);
    expect(Object.keys(state.pending).length).toBeLessThanOrEqual(1);

    await setFaults([]);
    const again = await cli('apply', '--auto-approve');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    await assertConverged();
  });
});

describe('GIVEN every create loses its answer after the write (commit-then-drop)', () => {
  test('WHEN applied THEN each resource exists once and every token value works', async () => {
    await setFaults(
      ['secondary-dns-(-tsig)-create-tsig', 'secondary-dns-(-peer)-create-peer', 'account-api-tokens-create-token'].map(
        (operationId) => ({ kind: 'commit-then-drop', operationId }),
      ),
    );
    const r = await cli('apply', '--auto-approve');
    await setFaults([]);
    if (r.code !== 0) expect((await cli('apply', '--auto-approve')).code).toBe(0);
    await assertConverged();
  });
});

describe('GIVEN a saved plan', () => {
  test('WHEN applied unchanged THEN it applies without a prompt; WHEN anything changed THEN it is refused as stale', async () => {
    const saved = await cli('plan', '--out', 'tfplan.json');
    expect(saved.code, saved.stderr).toBe(0);
    const planText = await world.ws.read('tfplan.json');
    expect(JSON.parse(planText)).toMatchObject({ format_version: 1, state: { serial: 0 } });

    // A second saved plan, made now, goes stale when the first is applied (state serial moves).
    expect((await cli('plan', '--out', 'second.json')).code).toBe(0);
    const applied = await cli('apply', 'tfplan.json');
    expect(applied.code, applied.stderr).toBe(0);
    const stale = await cli('apply', 'second.json');
    expect(stale.code).toBe(3);
    expect(stale.stderr).toMatch(/E_PLAN_STALE/);

    // Manifests changed since the plan: refused too.
    expect((await cli('plan', '--out', 'third.json')).code).toBe(0);
    await world.ws.write(
      'desired-state/peers.yaml',
      (await world.ws.read('desired-state/peers.yaml')).replace('192.0.2.53', '192.0.2.54'),
    );
    const changed = await cli('apply', 'third.json');
    expect(changed.code).toBe(3);
    expect(changed.stderr).toMatch(/E_PLAN_STALE/);
  });

  test('WHEN apply runs without a terminal and without --auto-approve THEN it refuses and changes nothing', async () => {
    const r = await cli('apply');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/E_USAGE/);
    expect((await liveResources(world.emulator)).tokens).toHaveLength(0);
  });
});

describe('GIVEN an apply in progress in another process', () => {
  test('WHEN a second apply starts THEN it fails naming the holder, and succeeds after force-unlock of a dead holder', async () => {
    await setFaults([{ kind: 'hang', operationId: 'account-api-tokens-create-token' }]);
    const child = spawnApply();
    await waitFor(async () => (await requestCount('account-api-tokens-create-token')) > 0, 'the first token create');
    const second = await cli('apply', '--auto-approve', '--lock-timeout', '0s');
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/E_STATE_LOCKED/);
    expect(second.stderr).toContain(String(child.child.pid));

    killGroup(child);
    await child.exited;
    await setFaults([]);
    // The dead holder's lock is on this host with a dead pid: taken over (or removed with force-unlock).
    const third = await cli('apply', '--auto-approve');
    expect(third.code, third.stderr).toBe(0);
    await assertConverged();
  });
});
