// P3 local: load + validate + plan of 1,000 / 10,000 / 50,000 resources in 100 per file (a first plan: empty state
// and empty accounts, so every resource is a create and every token's permission groups are resolved against the
// catalog). CPU time (main and V8 helper threads) and peak RSS of a child process, so the figures are the
// pipeline's alone. Targets at 10,000: ≤ 1.0 s CPU, ≤ 300 MB. CFGITOPS_BENCH_P3_SIZES / _RUNS change the sizes and
// the runs per size (median reported).
// (bench/plan.bench.js measures the in-sync case, all no-ops.)
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeManifestTree } from './fixtures.js';

const TARGET_SIZE = 10_000;
// 1,000 / 10,000 / 50,000 show whether growth is linear (issue #17); the targets apply at 10,000.
const SIZES = (process.env.CFGITOPS_BENCH_P3_SIZES ?? '1000,10000,50000').split(',').map(Number);
const RUNS = Number(process.env.CFGITOPS_BENCH_P3_RUNS ?? 3);
const here = path.dirname(fileURLToPath(import.meta.url));

export async function run() {
  const results = [];
  for (const size of SIZES) {
    const files = Math.max(1, Math.round(size / 100));
    // 7 in 10 resources are tokens: enough accounts that none holds more than Cloudflare's 500 (the plan refuses
    // more), a count prime to 10 so the generator's i % accounts spreads them evenly.
    let accounts = Math.max(3, Math.ceil((size * 0.7) / 450));
    while (accounts % 2 === 0 || accounts % 5 === 0) accounts++;
    const tree = await writeManifestTree({ resources: size, files, accounts });
    try {
      // Median of RUNS children by total CPU: on a shared machine one run says as much about the neighbours.
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await measure(tree.dir, size));
      runs.sort((a, b) => a.totalCpuSeconds - b.totalCpuSeconds);
      const m = runs[Math.floor(runs.length / 2)];
      const at = `${size} resources, ${files} files, ${accounts} accounts`;
      const target = size === TARGET_SIZE;
      results.push(
        { metric: `${at}: load + validate cpu time`, value: m.loadCpuSeconds, unit: 's' },
        { metric: `${at}: plan cpu time`, value: m.planCpuSeconds, unit: 's' },
        {
          metric: `${at}: load + validate + plan cpu time (median of ${RUNS})`,
          value: m.totalCpuSeconds,
          unit: 's',
          ...(target ? { target: 1.0 } : {}),
        },
        { metric: `${at}: cpu per resource`, value: (m.totalCpuSeconds / size) * 1e6, unit: 'µs' },
        { metric: `${at}: peak RSS`, value: m.peakRssMb, unit: 'MB', ...(target ? { target: 300 } : {}) },
      );
    } finally {
      await rm(tree.dir, { recursive: true, force: true });
    }
  }
  return { name: 'P3 local: load + validate + plan (first plan: every resource a create)', results };
}

async function measure(dir, size) {
  const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(import.meta.url), '--child', dir], {
    maxBuffer: 1 << 20,
  });
  const m = JSON.parse(stdout);
  if (m.creates !== size) throw new Error(`planned ${m.creates} creates, expected ${size}`);
  return m;
}

async function child(dir) {
  const { loadManifests, nodeManifestFs } = await import('../dist/manifest/load-manifests.js');
  const { resolveSecrets } = await import('../dist/manifest/resolve-secrets.js');
  const { planChanges } = await import('../dist/planner/plan-changes.js');
  const catalog = JSON.parse(await readFile(path.join(here, '../src/contract/permission-groups.json'), 'utf8'));
  const seconds = (u) => (u.user + u.system) / 1e6;

  const cpu0 = process.cpuUsage();
  const manifests = await loadManifests(dir, { fs: nodeManifestFs, cwd: process.cwd(), now: Date.now() });
  const secrets = await resolveSecrets(manifests, { env: process.env, readFile: (p) => readFile(p) });
  const loadCpu = process.cpuUsage(cpu0);

  const live = { accounts: {} };
  for (const r of manifests.resources) {
    live.accounts[r.address.account] ??= { tsigs: [], peers: [], tokens: [], permissionGroups: catalog };
  }
  const state = { format_version: 1, lineage: 'bench', serial: 0, resources: {}, pending: {} };
  const cpu1 = process.cpuUsage();
  const { plan, errors } = planChanges({
    desired: manifests.resources,
    secrets,
    config: manifests.config,
    state,
    live,
    now: Date.now(),
    manifestsDigest: manifests.digest,
    configDigest: 'bench',
    options: { prune: false, allowMassDelete: false },
  });
  const planCpu = process.cpuUsage(cpu1);
  if (errors.length > 0)
    throw new Error(
      `plan errors: ${errors
        .slice(0, 3)
        .map((e) => e.format())
        .join('; ')}`,
    );
  process.stdout.write(
    JSON.stringify({
      creates: plan.steps.filter((s) => s.action === 'create').length,
      loadCpuSeconds: seconds(loadCpu),
      planCpuSeconds: seconds(planCpu),
      totalCpuSeconds: seconds(loadCpu) + seconds(planCpu),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

if (process.argv[2] === '--child') await child(process.argv[3]);
