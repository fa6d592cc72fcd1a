/**
 * The controller against a real git repository and the emulator: commits pushed between cycles, a signed push
 * webhook that triggers the cycle applying the new commit, refused deliveries, metrics read with a Prometheus
 * parser, suspension, and SIGTERM in the middle of a cycle.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { signBody } from '../../../src/controller/github-webhook.js';
import { useE2eWorld } from '../../support/e2e-world.js';
import { liveResources } from '../../support/workspace.js';
import { gitRemote, startController, stopController, waitForCycle } from './harness.js';

const world = useE2eWorld();
const SECRET = 'webhook-secret-for-tests-1f3a';
const ISSUE_METRICS = [
  'cfgitops_controller_cycles_total',
  'cfgitops_controller_cycle_duration_seconds',
  'cfgitops_managed_resources',
  'cfgitops_drifted_resources',
  'cfgitops_pending_changes',
  'cfgitops_api_requests_total',
  'cfgitops_api_rate_limited_total',
  'cfgitops_token_value_oldest_age_seconds',
  'cfgitops_tokens_due_for_rotation',
  'cfgitops_last_successful_apply_timestamp_seconds',
  'cfgitops_controller_leader',
];

function pushPayload(commit: string, ref = 'refs/heads/main'): string {
  return JSON.stringify({ ref, after: commit, repository: { full_name: 'acme/dns' } });
}

describe('cfgitops controller with a git source', () => {
  test('GIVEN a controller on a git branch WHEN a commit is pushed and a signed webhook arrives THEN one cycle applies it; unsigned and badly signed deliveries are refused and counted', async () => {
    const { ws } = world;
    const remote = await gitRemote(ws);
    const startedAt = Date.now();
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
        '1h',
      ],
      world.outputs,
      { CFGITOPS_WEBHOOK_SECRET: SECRET },
    );
    const applied = await waitForCycle(c, (s) => s.lastCycle?.result === 'applied', 'the first apply');
    expect(applied.role).toBe('leader');
    expect(applied.lastCycle?.trigger).toBe('startup');
    let m = await c.metrics();
    expect(c.sample(m, 'cfgitops_controller_cycles_total', { mode: 'apply', result: 'applied' })).toBe(1);
    expect(c.sample(m, 'cfgitops_managed_resources', { kind: 'AccountToken' })).toBe(3);
    expect(c.sample(m, 'cfgitops_managed_resources', { kind: 'SecondaryDnsPeer' })).toBe(2);
    expect(c.sample(m, 'cfgitops_managed_resources', { kind: 'SecondaryDnsIncoming' })).toBe(1);
    expect(c.sample(m, 'cfgitops_controller_leader')).toBe(1);
    expect(c.sample(m, 'cfgitops_api_requests_total', { method: 'POST', code: '200' })).toBeGreaterThanOrEqual(6);
    expect(c.sample(m, 'cfgitops_api_rate_limited_total')).toBe(0);
    expect(c.sample(m, 'cfgitops_controller_cycle_duration_seconds_count', { mode: 'apply' })).toBe(1);
    expect(m.find((f) => f.name === 'cfgitops_process_resident_memory_bytes')).toBeDefined();
    // Every metric issue #18 lists, with its type (docs/controller.md has the table).
    expect(Object.fromEntries(m.filter((f) => ISSUE_METRICS.includes(f.name)).map((f) => [f.name, f.type]))).toEqual({
      cfgitops_controller_cycles_total: 'counter',
      cfgitops_controller_cycle_duration_seconds: 'histogram',
      cfgitops_managed_resources: 'gauge',
      cfgitops_drifted_resources: 'gauge',
      cfgitops_pending_changes: 'gauge',
      cfgitops_api_requests_total: 'counter',
      cfgitops_api_rate_limited_total: 'counter',
      cfgitops_token_value_oldest_age_seconds: 'gauge',
      cfgitops_tokens_due_for_rotation: 'gauge',
      cfgitops_last_successful_apply_timestamp_seconds: 'gauge',
      cfgitops_controller_leader: 'gauge',
    });
    expect(c.sample(m, 'cfgitops_drifted_resources')).toBe(7);
    expect(c.sample(m, 'cfgitops_pending_changes')).toBe(0);
    expect(c.sample(m, 'cfgitops_managed_resources', { kind: 'SecondaryDnsTsig' })).toBe(1);
    expect(c.sample(m, 'cfgitops_token_value_oldest_age_seconds')).toBeLessThan(120);
    expect(c.sample(m, 'cfgitops_tokens_due_for_rotation')).toBe(0);
    const lastApply = c.sample(m, 'cfgitops_last_successful_apply_timestamp_seconds');
    expect(lastApply * 1000).toBeGreaterThanOrEqual(startedAt - 1_000);
    expect(lastApply * 1000).toBeLessThanOrEqual(Date.now());

    const second = await remote.push('move ns2', async (work) => {
      const file = join(work, 'desired-state', 'peers.yaml');
      await writeFile(file, (await readFile(file, 'utf8')).replace('2001:db8::53', '2001:db8::54'));
    });
    const body = pushPayload(second);
    const unsigned = await c.post('/hooks/github', body, { 'x-github-event': 'push' });
    expect(unsigned.status).toBe(401);
    const bad = await c.post('/hooks/github', body, {
      'x-github-event': 'push',
      'x-hub-signature-256': signBody('not-the-secret', body),
    });
    expect(bad.status).toBe(401);
    const tampered = await c.post('/hooks/github', pushPayload(second, 'refs/heads/evil'), {
      'x-github-event': 'push',
      'x-hub-signature-256': signBody(SECRET, body),
    });
    expect(tampered.status).toBe(401);
    const otherBranch = pushPayload(second, 'refs/heads/feature');
    const ignored = await c.post('/hooks/github', otherBranch, {
      'x-github-event': 'push',
      'x-hub-signature-256': signBody(SECRET, otherBranch),
    });
    expect(ignored.status).toBe(200);
    m = await c.metrics();
    expect(c.sample(m, 'cfgitops_webhook_requests_total', { result: 'unsigned' })).toBe(1);
    expect(c.sample(m, 'cfgitops_webhook_requests_total', { result: 'bad-signature' })).toBe(2);
    expect(c.sample(m, 'cfgitops_webhook_requests_total', { result: 'ignored' })).toBe(1);
    expect((await c.status()).lastCycle?.cycle).toBe(1);

    const ok = await c.post('/hooks/github', body, {
      'x-github-event': 'push',
      'x-hub-signature-256': signBody(SECRET, body),
    });
    expect(ok).toEqual({ status: 202, body: { outcome: 'queued' } });
    const after = await waitForCycle(c, (s) => s.lastCycle?.revision === second, 'the cycle of the pushed commit');
    expect(after.lastCycle).toMatchObject({ cycle: 2, trigger: 'webhook', result: 'applied', drifted: 1, pending: 0 });
    const live = await liveResources(world.emulator);
    expect(live.peers.find((p) => p.name === 'ns2.example.com')?.ip).toBe('2001:db8::54');
    m = await c.metrics();
    expect(c.sample(m, 'cfgitops_controller_cycles_total', { mode: 'apply', result: 'applied' })).toBe(2);
    expect(c.sample(m, 'cfgitops_controller_cycle_duration_seconds_count', { mode: 'apply' })).toBe(2);
    expect(c.sample(m, 'cfgitops_drifted_resources')).toBe(1);
    expect(c.sample(m, 'cfgitops_webhook_requests_total', { result: 'accepted' })).toBe(1);
    expect(c.sample(m, 'cfgitops_api_requests_total', { method: 'PUT', code: '200' })).toBeGreaterThanOrEqual(1);

    // On demand (POST /reconcile, loopback only): the sync finds the new commit, whose Config suspends reconciling.
    const third = await remote.push('suspend everything', async (work) => {
      const file = join(work, 'desired-state', 'cfgitops.yaml');
      await writeFile(
        file,
        (await readFile(file, 'utf8')).replace('  prune: false', '  prune: false\n  suspend: true'),
      );
      const peers = join(work, 'desired-state', 'peers.yaml');
      await writeFile(peers, (await readFile(peers, 'utf8')).replace('2001:db8::54', '2001:db8::55'));
    });
    expect((await c.post('/reconcile', '')).status).toBe(202);
    const suspended = await waitForCycle(c, (s) => s.lastCycle?.revision === third, 'the suspended cycle');
    expect(suspended.lastCycle).toMatchObject({ result: 'suspended', pending: 1, suspended: { config: true } });
    expect((await liveResources(world.emulator)).peers.find((p) => p.name === 'ns2.example.com')?.ip).toBe(
      '2001:db8::54',
    );
    m = await c.metrics();
    expect(c.sample(m, 'cfgitops_suspended')).toBe(1);
    expect(c.sample(m, 'cfgitops_pending_changes')).toBe(1);

    expect(await stopController(c)).toEqual({ code: 0, signal: null });
  });

  test('GIVEN a cycle creating resources slowly WHEN SIGTERM arrives mid-cycle THEN the controller exits 0, state has no pending intent, the lock is free, and the next run finishes without duplicates', async () => {
    const { ws, emulator } = world;
    // One step at a time, each create slow: SIGTERM after the first lands mid-cycle whatever the machine's speed.
    const config = join(ws.dir, 'desired-state', 'cfgitops.yaml');
    await writeFile(config, (await readFile(config, 'utf8')).replace(/concurrency: \d+/, 'concurrency: 1'));
    await emulator.control('PUT', '/faults', { rules: [{ kind: 'latency', method: 'POST', ms: 400 }] });
    try {
      const c = await startController(ws, ['--source', 'desired-state', '--interval', '1h'], world.outputs);
      await waitForCycle(c, () => /"msg":"created"/.test(c.spawned.stderr()), 'the first create', 30_000);
      expect(await stopController(c)).toEqual({ code: 0, signal: null });
      const state = await ws.stateFile();
      expect(state.pending).toEqual({});
      expect(Object.keys(state.resources).length).toBeGreaterThan(0);
      expect(Object.keys(state.resources).length).toBeLessThan(6);
      await expect(readFile(join(ws.dir, '.cfgitops/state.json.lock'))).rejects.toThrow();
    } finally {
      await emulator.control('PUT', '/faults', { rules: [] });
    }
    const rerun = await world.cli('apply', '--auto-approve', 'desired-state');
    expect(rerun.code, rerun.stderr).toBe(0);
    const live = await liveResources(emulator);
    expect(live.tokens).toHaveLength(3);
    expect(live.peers).toHaveLength(2);
    expect(live.tsigs).toHaveLength(1);
  });
});
