// State store latency: read and commit (p50/p95) and a 1,000-resource journal (put intent, then put resource +
// remove intent: 2,000 commits), file backend vs PostgreSQL. PostgreSQL is a throwaway cluster (initdb + pg_ctl,
// fsync on, as a real server would run) or CFGITOPS_BENCH_PG_URL.
import { execFile as execFileCb } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { hostname, tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { promisify } from 'node:util';
import { systemClock } from '../dist/effects.js';
import { createFileStateStore } from '../dist/state/file-state-store.js';
import { createPostgresStateStore } from '../dist/state/postgres-state-store.js';

const execFile = promisify(execFileCb);
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const RESOURCES = 1000;

export async function run() {
  const dir = await mkdtemp(path.join(tmpdir(), 'cfgitops-bench-state-'));
  const pgServer = await startPostgres();
  const common = { clock: systemClock, random: Math.random, hostname: hostname(), pid: process.pid, owner: 'bench' };
  const results = [];
  try {
    const file = createFileStateStore({ ...common, path: path.join(dir, 'state.json') });
    const pgStore = createPostgresStateStore({ ...common, url: pgServer.url, workspace: `bench-${Date.now()}` });
    for (const [name, store] of [
      ['file', file],
      ['postgres', pgStore],
    ]) {
      results.push(...(await measure(name, store)));
      await store.close();
    }
  } finally {
    await pgServer.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return { name: 'state', results };
}

async function measure(name, store) {
  const lock = await store.lock('bench', 0);
  const journalStart = performance.now();
  for (let i = 0; i < RESOURCES; i++) {
    const intent = {
      id: `intent-${i}`,
      op: 'create',
      kind: 'AccountToken',
      account: ACCOUNT,
      name: `token-${i}`,
      cf_name: `token-${i}`,
      started_at: new Date().toISOString(),
      sink: { sink: 'local', key: `token-${i}` },
    };
    await lock.commit([{ type: 'put-intent', intent }]);
    await lock.commit([
      { type: 'put-resource', resource: resource(i, `id-${i}`) },
      { type: 'remove-intent', id: intent.id },
    ]);
  }
  const journalMs = performance.now() - journalStart;

  const commits = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await lock.commit([{ type: 'put-resource', resource: resource(i, `rolled-${i}`) }]);
    commits.push(performance.now() - t);
  }
  await lock.release();

  const reads = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    const doc = await store.read();
    reads.push(performance.now() - t);
    if (Object.keys(doc.resources).length !== RESOURCES) throw new Error(`${name}: read back a wrong document`);
  }
  return [
    {
      metric: `${name}: journal of ${RESOURCES} resources (${RESOURCES * 2} commits)`,
      value: round(journalMs / 1000),
      unit: 's',
      target: name === 'file' ? 120 : 60,
    },
    { metric: `${name}: journal commit mean`, value: round(journalMs / (RESOURCES * 2)), unit: 'ms' },
    { metric: `${name}: commit p50 (${RESOURCES} resources)`, value: round(percentile(commits, 50)), unit: 'ms' },
    {
      metric: `${name}: commit p95 (${RESOURCES} resources)`,
      value: round(percentile(commits, 95)),
      unit: 'ms',
      target: 50,
    },
    { metric: `${name}: read p50 (${RESOURCES} resources)`, value: round(percentile(reads, 50)), unit: 'ms' },
    {
      metric: `${name}: read p95 (${RESOURCES} resources)`,
      value: round(percentile(reads, 95)),
      unit: 'ms',
      target: 100,
    },
  ];
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

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function round(v) {
  return Math.round(v * 100) / 100;
}

// The same throwaway cluster as test/support/postgres.ts, in plain JS (benchmarks run from dist without a TS loader).
export async function startPostgres() {
  if (process.env.CFGITOPS_BENCH_PG_URL) return { url: process.env.CFGITOPS_BENCH_PG_URL, stop: async () => {} };
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  if (existsSync('/usr/lib/postgresql')) {
    for (const v of readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))) {
      dirs.push(path.join('/usr/lib/postgresql', v, 'bin'));
    }
  }
  const bin = dirs.find((d) => existsSync(path.join(d, 'initdb')) && existsSync(path.join(d, 'pg_ctl')));
  if (!bin) throw new Error('initdb/pg_ctl not found; install postgresql or set CFGITOPS_BENCH_PG_URL');
  const dir = await mkdtemp(path.join(tmpdir(), 'cfgitops-bench-pg-'));
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const uid = Number((await execFile('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await execFile('id', ['-g', 'postgres'])).stdout.trim());
    await chown(dir, uid, gid);
  }
  const runPg = (cmd, args) =>
    asRoot
      ? execFile('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args])
      : execFile(path.join(bin, cmd), args);
  const data = path.join(dir, 'data');
  await runPg('initdb', ['-D', data, '-U', 'cfgitops', '--auth=trust', '-E', 'UTF8', '--locale=C']);
  const port = await new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;
  await runPg('pg_ctl', ['start', '-D', data, '-w', '-t', '60', '-l', path.join(dir, 'server.log'), '-o', options]);
  return {
    url: `postgres://cfgitops@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await runPg('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
