// P3 local: load + validate + plan of 10,000 resources in 100 files (a first plan: empty state and empty accounts,
// so every resource is a create and every token's permission groups are resolved against the catalog). CPU time
// and peak RSS of a child process, so the figures are the pipeline's alone. Targets: ≤ 1.0 s CPU, ≤ 300 MB.
// (bench/plan.bench.js measures the in-sync case, all no-ops.)
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeManifestTree } from './fixtures.js';

const RESOURCES = 10_000;
const FILES = 100;
const here = path.dirname(fileURLToPath(import.meta.url));

export async function run() {
  const tree = await writeManifestTree({ resources: RESOURCES, files: FILES, accounts: 5 });
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [fileURLToPath(import.meta.url), '--child', tree.dir],
      {
        maxBuffer: 1 << 20,
      },
    );
    const m = JSON.parse(stdout);
    if (m.creates !== RESOURCES) throw new Error(`planned ${m.creates} creates, expected ${RESOURCES}`);
    return {
      name: `P3 local: load + validate + plan ${RESOURCES} resources in ${FILES} files (first plan)`,
      results: [
        { metric: 'load + validate cpu time', value: m.loadCpuSeconds, unit: 's' },
        { metric: 'plan cpu time', value: m.planCpuSeconds, unit: 's' },
        { metric: 'load + validate + plan cpu time', value: m.totalCpuSeconds, unit: 's', target: 1.0 },
        { metric: 'peak RSS', value: m.peakRssMb, unit: 'MB', target: 300 },
      ],
    };
  } finally {
    await rm(tree.dir, { recursive: true, force: true });
  }
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
