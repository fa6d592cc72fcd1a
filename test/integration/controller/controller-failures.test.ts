/**
 * The controller when cycles fail, against a real git repository and the emulator: a pushed commit whose manifests
 * do not load fails its cycle (errors with code and location in /status, nothing sent to the API, the last good
 * picture kept in /metrics), failures are retried with exponential backoff up to the cap, /readyz stays ready until
 * the failures outlast --failing-threshold and then says why it is not, and a fixing commit recovers at once. A
 * cycle that hangs is stopped at --cycle-timeout and the next one runs: no failure blocks the loop.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { waitFor } from '../../support/cli.js';
import { useE2eWorld } from '../../support/e2e-world.js';
import type { PromFamily } from '../../support/prometheus-text.js';
import { gitRemote, startController, stopController, waitForCycle, type RunningController } from './harness.js';

const world = useE2eWorld();

const BACKOFF_MS = 300;
const MAX_BACKOFF_MS = 1_200;
const THRESHOLD_MS = 4_000;
const CYCLE_TIMEOUT_MS = 4_000;
/** The peers.yaml line that `port: 53` of ns1 is on. */
const PORT_LINE = 12;

interface CycleLine {
  time: number;
  msg: string;
  cycle: number;
  result?: string;
  nextInMs?: number;
  trigger?: string;
}

/** The controller's JSON log lines about cycles, in order. */
function cycleLines(c: RunningController): CycleLine[] {
  return c.spawned
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as CycleLine)
    .filter((l) => ['cycle started', 'cycle finished', 'cycle failed'].includes(l.msg));
}

function apiCalls(c: RunningController, m: PromFamily[]): number {
  const family = m.find((f) => f.name === 'cfgitops_api_requests_total');
  expect(family).toBeDefined();
  return family!.samples.reduce((n, s) => n + s.value, 0) + c.sample(m, 'cfgitops_api_request_errors_total');
}

describe('cfgitops controller: failing cycles', () => {
  test('GIVEN a pushed commit whose manifests fail to load THEN its cycles fail with the location, back off exponentially to the cap, /readyz turns 503 after the threshold, and a fixing commit recovers', async () => {
    const { ws } = world;
    const remote = await gitRemote(ws);
    const c = await startController(
      ws,
      [
        '--git',
        remote.url,
        '--branch',
        'main',
        '--path',
        'desired-state',
        '--interval',
        '1h',
        '--source-interval',
        '200ms',
        '--retry-backoff',
        `${BACKOFF_MS}ms`,
        '--max-backoff',
        `${MAX_BACKOFF_MS}ms`,
        '--jitter',
        '0',
        '--failing-threshold',
        `${THRESHOLD_MS}ms`,
      ],
      world.outputs,
    );
    try {
      await waitForCycle(c, (s) => s.lastCycle?.result === 'applied', 'the first apply');
      expect(await c.get('/readyz')).toEqual({
        status: 200,
        body: { ready: true, role: 'leader', reason: 'reconciling' },
      });
      const before = await c.metrics();
      const callsBefore = apiCalls(c, before);

      const peers = join('desired-state', 'peers.yaml');
      const good = await readFile(join(ws.dir, peers), 'utf8');
      expect(good.split('\n')[PORT_LINE - 1]).toBe('  port: 53');
      const broken = await remote.push('a port that is no number', (work) =>
        writeFile(join(work, peers), good.replace('  port: 53', '  port: fifty-three')),
      );
      const failed = await waitForCycle(
        c,
        (s) => s.revision === broken && s.lastCycle?.result === 'failed',
        'the broken commit to fail its cycle',
      );
      // Ready while failing for less than the threshold: one bad commit is not a reason to pull the pod.
      const readyWhileFailing = await c.get('/readyz');
      expect(readyWhileFailing.status).toBe(200);
      expect(readyWhileFailing.body).toMatchObject({ ready: true, role: 'leader' });
      expect((readyWhileFailing.body as { reason: string }).reason).toMatch(/^last cycle failed \(\d+ in a row\)$/);
      const error = failed.lastCycle!.errors[0] as { code: string; location?: { file: string; line: number } };
      expect(error.code).toMatch(/^E_/);
      expect(error.location?.file).toMatch(/peers\.yaml$/);
      expect(error.location?.line).toBe(PORT_LINE);

      // Failures come back at 300, 600, 1200, 1200 ms: doubling, then the cap — and they keep coming.
      await waitFor(
        () => cycleLines(c).filter((l) => l.msg === 'cycle failed').length >= 5,
        'five failed cycles',
        30_000,
      );
      const lines = cycleLines(c);
      const failures = lines.filter((l) => l.msg === 'cycle failed');
      expect(failures.slice(0, 5).map((l) => l.nextInMs)).toEqual([300, 600, 1200, 1200, 1200]);
      for (const f of failures.slice(0, 4)) {
        const nextStart = lines.find((l) => l.msg === 'cycle started' && l.cycle === f.cycle + 1);
        expect(nextStart?.trigger).toBe('retry');
        // Never sooner than scheduled (the log's times are the controller's own clock).
        expect(nextStart!.time - f.time).toBeGreaterThanOrEqual(f.nextInMs! - 5);
      }

      const m = await c.metrics();
      expect(apiCalls(c, m)).toBe(callsBefore); // manifests that do not load send nothing to the API
      expect(
        c.sample(m, 'cfgitops_controller_cycles_total', { mode: 'apply', result: 'failed' }),
      ).toBeGreaterThanOrEqual(5);
      expect(c.sample(m, 'cfgitops_controller_consecutive_failures')).toBeGreaterThanOrEqual(5);
      // The last good picture is kept, not zeroed by failures.
      expect(c.sample(m, 'cfgitops_managed_resources', { kind: 'AccountToken' })).toBe(3);

      // Failing for longer than the threshold: not ready, and it says for how long and how many in a row.
      await waitFor(async () => (await c.get('/readyz')).status === 503, '/readyz to fail', THRESHOLD_MS + 20_000);
      const notReady = (await c.get('/readyz')).body as { ready: boolean; role: string; reason: string };
      expect(notReady).toMatchObject({ ready: false, role: 'leader' });
      expect(notReady.reason).toMatch(/^cycles have been failing for \d+ s \(\d+ in a row\)$/);

      const fixed = await remote.push('the port back', (work) => writeFile(join(work, peers), good));
      const recovered = await waitForCycle(
        c,
        (s) => s.lastCycle?.revision === fixed && s.lastCycle.result !== 'failed',
        'the fixing commit to reconcile',
      );
      expect(recovered.lastCycle).toMatchObject({ result: 'in-sync', errors: [] });
      expect(recovered.consecutiveFailures).toBe(0);
      expect(cycleLines(c).at(-1)).toMatchObject({ msg: 'cycle finished', nextInMs: 3_600_000 });
      expect(await c.get('/readyz')).toEqual({
        status: 200,
        body: { ready: true, role: 'leader', reason: 'reconciling' },
      });
      expect(c.sample(await c.metrics(), 'cfgitops_controller_consecutive_failures')).toBe(0);
      expect(await stopController(c)).toEqual({ code: 0, signal: null });
    } finally {
      c.spawned.child.kill('SIGKILL');
    }
  });

  test('GIVEN an API that stops answering WHEN a cycle hangs THEN --cycle-timeout stops it and the retry after it runs', async () => {
    const { ws, emulator } = world;
    const c = await startController(
      ws,
      [
        '--source',
        'desired-state',
        '--interval',
        '1h',
        '--cycle-timeout',
        `${CYCLE_TIMEOUT_MS}ms`,
        '--retry-backoff',
        `${BACKOFF_MS}ms`,
        '--jitter',
        '0',
      ],
      world.outputs,
    );
    try {
      // (On a loaded machine the first apply may itself outlast the timeout; its retry then finishes the job.)
      const first = await waitForCycle(c, (s) => s.lastCycle?.result === 'applied', 'the first apply');
      const n = first.lastCycle!.cycle;
      await emulator.control('PUT', '/faults', { rules: [{ kind: 'hang', method: 'GET' }] });
      const asked = Date.now();
      expect((await c.post('/reconcile', '')).status).toBe(202);
      const hung = await waitForCycle(c, (s) => s.lastCycle?.cycle === n + 1, 'the hanging cycle to be stopped');
      expect(Date.now() - asked).toBeGreaterThanOrEqual(CYCLE_TIMEOUT_MS);
      expect(hung.lastCycle).toMatchObject({ trigger: 'manual', result: 'failed' });
      expect(hung.lastCycle!.errors.map((e) => e.code)).toContain('E_ABORTED');
      await emulator.control('PUT', '/faults', { rules: [] });
      const next = await waitForCycle(c, (s) => s.lastCycle?.cycle === n + 2, 'the retry');
      expect(next.lastCycle).toMatchObject({ trigger: 'retry', result: 'in-sync' });
      expect(next.consecutiveFailures).toBe(0);
      expect(await stopController(c)).toEqual({ code: 0, signal: null });
    } finally {
      await emulator.control('PUT', '/faults', { rules: [] });
      c.spawned.child.kill('SIGKILL');
    }
  });
});
