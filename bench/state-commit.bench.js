// Journal commit cost against state size: the same 300 one-resource commits (an update of a recorded token, as an
// apply's id / delivery steps do) on a state holding 100 and then 10,000 recorded resources, file backend and
// PostgreSQL. Target: the 10,000 / 100 ratio of the mean commit time ≤ 1.5 (a commit costs O(change), not
// O(state)). Wall time per commit includes the fsync (file) or the transaction (PostgreSQL); CPU time is the
// process's own. PostgreSQL is the throwaway cluster of state.bench.js or CFGITOPS_BENCH_PG_URL.
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { systemClock } from '../dist/effects.js';
import { createFileStateStore } from '../dist/state/file-state-store.js';
import { createPostgresStateStore } from '../dist/state/postgres-state-store.js';
import { startPostgres } from './state.bench.js';

const ACCOUNT = '0123456789abcdef0123456789abcdef';
const SIZES = [100, 10_000];
const COMMITS = 300;

export async function run() {
  const dir = await mkdtemp(path.join(tmpdir(), 'cfgitops-bench-commit-'));
  const common = { clock: systemClock, random: Math.random, hostname: hostname(), pid: process.pid, owner: 'bench' };
  const backends = [['file', (n) => createFileStateStore({ ...common, path: path.join(dir, `state-${n}.json`) })]];
  const pg = process.env.CFGITOPS_BENCH_COMMIT_PG === '0' ? undefined : await startPostgres();
  if (pg) {
    const workspace = `bench-commit-${Date.now()}`;
    backends.push([
      'postgres',
      (n) => createPostgresStateStore({ ...common, url: pg.url, workspace: `${workspace}-${n}` }),
    ]);
  }
  const results = [];
  try {
    for (const [name, open] of backends) {
      const [small, large] = await interleaved(open(SIZES[0]), SIZES[0], open(SIZES[1]), SIZES[1]);
      const [a, b] = SIZES;
      results.push(
        {
          metric: `${name}: commit mean, ${a} / ${b} recorded`,
          value: `${small.meanMs} / ${large.meanMs}`,
          unit: 'ms',
        },
        { metric: `${name}: commit p50, ${a} / ${b} recorded`, value: `${small.p50Ms} / ${large.p50Ms}`, unit: 'ms' },
        { metric: `${name}: commit p90, ${a} / ${b} recorded`, value: `${small.p90Ms} / ${large.p90Ms}`, unit: 'ms' },
        { metric: `${name}: p50 commit ratio ${b} / ${a}`, value: round(large.p50Ms / small.p50Ms), unit: '×' },
        {
          metric: `${name}: mean commit ratio ${b} / ${a}`,
          value: round(large.meanMs / small.meanMs),
          unit: '×',
          target: 1.5,
        },
      );
    }
  } finally {
    await pg?.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return { name: `state: journal commit cost vs state size (${COMMITS} one-resource commits each)`, results };
}

/**
 * Both sizes side by side: their commits alternate (which one goes first alternates too), so a stall of this shared
 * machine's disk or CPU lands on both alike and the ratio stays meaningful.
 */
async function interleaved(smallStore, small, largeStore, large) {
  const runs = [
    { store: smallStore, n: small, times: [] },
    { store: largeStore, n: large, times: [] },
  ];
  for (const r of runs) {
    r.lock = await r.store.lock('bench', 0);
    // Setup: n recorded resources in one commit, then a few commits to settle (not measured).
    await r.lock.commit(
      Array.from({ length: r.n }, (_, i) => ({ type: 'put-resource', resource: resource(i, `id-${i}`) })),
    );
    for (let i = 0; i < 20; i++) await r.lock.commit([{ type: 'put-resource', resource: resource(i, `warm-${i}`) }]);
  }
  for (let i = 0; i < COMMITS; i++) {
    for (const r of i % 2 === 0 ? runs : [...runs].reverse()) {
      const t = performance.now();
      await r.lock.commit([{ type: 'put-resource', resource: resource(i % r.n, `rolled-${i}`) }]);
      r.times.push(performance.now() - t);
    }
  }
  return Promise.all(
    runs.map(async (r) => {
      await r.lock.release();
      await r.store.close();
      const sorted = [...r.times].sort((x, y) => x - y);
      return {
        meanMs: round(r.times.reduce((sum, t) => sum + t, 0) / COMMITS),
        p50Ms: round(sorted[Math.floor(COMMITS / 2)]),
        p90Ms: round(sorted[Math.floor(COMMITS * 0.9)]),
      };
    }),
  );
}

function resource(i, id) {
  return {
    kind: 'AccountToken',
    account: ACCOUNT,
    name: `token-${i}`,
    id,
    cf_name: `token-${i}`,
    created_at: '2025-01-01T00:00:00.000Z',
    updated_at: new Date().toISOString(),
    sink: { sink: 'local', key: `token-${i}` },
    value_status: 'delivered',
    origin: 'created',
  };
}

function round(v) {
  return Math.round(v * 100) / 100;
}
