/**
 * Two controllers on one PostgreSQL state: exactly one leads and applies; after `kill -9` of the leader the
 * standby takes over within the documented bound (docs/controller.md: --leader-retry plus the server noticing the
 * dead session, which for a killed process is immediate) and repairs what changed meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signBody } from '../../../src/controller/github-webhook.js';
import { waitFor } from '../../support/cli.js';
import { useE2eWorld } from '../../support/e2e-world.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { EXAMPLE_ACCOUNT, liveResources } from '../../support/workspace.js';
import { startController, stopController, waitForCycle, type RunningController } from './harness.js';

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startPostgres();
}, 120_000);
afterAll(async () => {
  await pg.stop();
});

const world = useE2eWorld({
  setup: async () => {
    const file = join(world.ws.dir, 'desired-state', 'cfgitops.yaml');
    const workspace = `ctl-${randomBytes(4).toString('hex')}`;
    await writeFile(
      file,
      (await readFile(file, 'utf8')).replace(
        / {2}state:\n {4}backend: file\n {4}path: .cfgitops\/state.json\n/,
        `  state:\n    backend: postgres\n    workspace: ${workspace}\n`,
      ),
    );
    world.ws.env['CFGITOPS_PG_URL'] = pg.url;
  },
});

/** The documented failover bound for a killed leader with --leader-retry 1s (docs/controller.md). */
const LEADER_RETRY_MS = 1_000;
const SECRET = 'webhook-secret-for-tests-9c2e';
const FAILOVER_BOUND_MS = LEADER_RETRY_MS + 5_000;

describe('cfgitops controller: several replicas on PostgreSQL', () => {
  test('GIVEN two controllers on one PostgreSQL WHEN both run THEN exactly one applies; WHEN the leader is killed -9 THEN the standby leads and reconciles within the bound', async () => {
    const args = ['--source', 'desired-state', '--interval', '1h', '--leader-retry', `${LEADER_RETRY_MS}ms`];
    const env = { CFGITOPS_WEBHOOK_SECRET: SECRET };
    const a = await startController(world.ws, args, world.outputs, env);
    const b = await startController(world.ws, args, world.outputs, env);
    const controllers = [a, b];
    let leader: RunningController | undefined;
    await waitForCycle(
      a,
      async () => {
        const roles: string[] = [];
        for (const c of controllers) {
          const s = await c.status();
          roles.push(s.role);
          if (s.role === 'leader' && s.lastCycle?.result === 'applied') leader = c;
        }
        return leader !== undefined && roles.includes('standby');
      },
      'one leader to apply and the other to stand by',
    );
    const standby = leader === a ? b : a;
    const standbyStatus = await standby.status();
    expect(standbyStatus.role).toBe('standby');
    expect(standbyStatus.lastCycle).toBeUndefined();
    expect((await standby.get('/readyz')).body).toMatchObject({ ready: true, role: 'standby' });
    const sm = await standby.metrics();
    expect(standby.sample(sm, 'cfgitops_controller_leader')).toBe(0);
    expect(standby.sample(sm, 'cfgitops_api_requests_total', { method: 'POST', code: '200' })).toBe(0);
    const lm = await leader!.metrics();
    expect(leader!.sample(lm, 'cfgitops_controller_leader')).toBe(1);

    // A webhook that lands on the standby (the Service routes to both) is handed to the leader through NOTIFY.
    const push = JSON.stringify({ ref: 'refs/heads/main', after: 'b'.repeat(40) });
    const forwarded = await standby.post('/hooks/github', push, {
      'x-github-event': 'push',
      'x-hub-signature-256': signBody(SECRET, push),
    });
    expect(forwarded).toEqual({ status: 202, body: { outcome: 'forwarded' } });
    await waitForCycle(leader!, (s) => s.lastCycle?.trigger === 'webhook', 'the leader to run the forwarded cycle');
    const live = await liveResources(world.emulator);
    expect(live.tokens).toHaveLength(3);
    expect(live.peers).toHaveLength(2);

    // Out of band while the leader dies: the new leader's first cycle must repair it. (A token: the example's zone
    // link uses both peers, so Cloudflare refuses to delete either.)
    const token = live.tokens.find((t) => t.name === 'cfgitops logs reader')!;
    const del = await world.emulator.api('DELETE', `/accounts/${EXAMPLE_ACCOUNT}/tokens/${token.id}`);
    expect(del.status).toBe(200);

    const killedAt = Date.now();
    leader!.spawned.child.kill('SIGKILL');
    await leader!.spawned.exited;
    let tookOverAt = 0;
    const repaired = await waitForCycle(
      standby,
      (s) => {
        if (s.role === 'leader' && tookOverAt === 0) tookOverAt = Date.now();
        return s.role === 'leader' && s.lastCycle !== undefined;
      },
      'the standby to lead and reconcile',
    );
    const reconciledAt = Date.now();
    expect(repaired.lastCycle).toMatchObject({ result: 'applied', drifted: 1, pending: 0 });
    expect((await liveResources(world.emulator)).tokens.map((t) => t.name).sort()).toEqual([
      'cfgitops CI DNS edit',
      'cfgitops logs reader',
      'cfgitops zone read-only',
    ]);
    const failoverMs = tookOverAt - killedAt;
    console.log(`controller failover: leader after ${failoverMs} ms, reconciled after ${reconciledAt - killedAt} ms`);
    expect(failoverMs).toBeLessThan(FAILOVER_BOUND_MS);
    expect(await stopController(standby)).toEqual({ code: 0, signal: null });
  });

  test('GIVEN the leader on PostgreSQL mid-cycle WHEN SIGTERM arrives THEN it exits 0 having released leadership and the state lock: the standby leads at its next try and finishes the job, leaving no pending intent and no duplicate', async () => {
    // One step at a time, each create slow: SIGTERM after the first create lands mid-cycle whatever the speed.
    const file = join(world.ws.dir, 'desired-state', 'cfgitops.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/concurrency: \d+/, 'concurrency: 1'));
    await world.emulator.control('PUT', '/faults', { rules: [{ kind: 'latency', method: 'POST', ms: 1_000 }] });
    const args = ['--source', 'desired-state', '--interval', '1h', '--leader-retry', `${LEADER_RETRY_MS}ms`];
    const [a, b] = await Promise.all([
      startController(world.ws, args, world.outputs),
      startController(world.ws, args, world.outputs),
    ]);
    try {
      let leader: RunningController | undefined;
      await waitFor(async () => {
        for (const c of [a, b]) if ((await c.status()).role === 'leader') leader = c;
        return leader !== undefined && /"msg":"created"/.test(leader.spawned.stderr());
      }, 'the leader to create its first resource');
      const standby = leader === a ? b : a;
      const stoppedAt = Date.now();
      expect(await stopController(leader!)).toEqual({ code: 0, signal: null });
      await world.emulator.control('PUT', '/faults', { rules: [] });
      await expect(leader!.status()).rejects.toThrow(); // gone, not lingering with the lock
      // Leadership was released (not left to a session timeout) and so was the state lock: the standby's first
      // cycle takes the lock with the Config's lock timeout (0) and applies what the interrupted cycle left.
      let tookOverAt = 0;
      const done = await waitForCycle(
        standby,
        (s) => {
          if (s.role === 'leader' && tookOverAt === 0) tookOverAt = Date.now();
          return s.role === 'leader' && s.lastCycle !== undefined;
        },
        'the standby to lead and finish the job',
      );
      expect(done.lastCycle).toMatchObject({ result: 'applied', pending: 0, errors: [] });
      console.log(`controller handover after SIGTERM: the standby led ${tookOverAt - stoppedAt} ms after the exit`);
      expect(tookOverAt - stoppedAt).toBeLessThan(FAILOVER_BOUND_MS);
      expect(await stopController(standby)).toEqual({ code: 0, signal: null });

      const list = await world.cli('state', 'list', '--format', 'json', '--dir', 'desired-state');
      expect(list.code, list.stderr).toBe(0);
      const state = JSON.parse(list.stdout) as { pending: object; resources: object };
      expect(state.pending).toEqual({});
      expect(Object.keys(state.resources)).toHaveLength(7);
      const live = await liveResources(world.emulator);
      expect([live.tokens.length, live.peers.length, live.tsigs.length]).toEqual([3, 2, 1]);
    } finally {
      await world.emulator.control('PUT', '/faults', { rules: [] });
      for (const c of [a, b]) c.spawned.child.kill('SIGKILL');
    }
  });
});
