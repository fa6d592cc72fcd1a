// "load + validate 10,000 resources in 100 files": CPU time and peak RSS, measured in a child process so the RSS
// is the loader's alone (not the runner's, nor other benchmarks').
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeManifestTree } from './fixtures.js';

const RESOURCES = 10_000;
const FILES = 100;

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
    if (m.resources !== RESOURCES) throw new Error(`loaded ${m.resources} resources, expected ${RESOURCES}`);
    return {
      name: `load + validate ${RESOURCES} resources in ${FILES} files`,
      results: [
        { metric: 'cpu time', value: m.cpuSeconds, unit: 's', target: 1.0 },
        { metric: 'wall time', value: m.wallSeconds, unit: 's' },
        { metric: 'peak RSS', value: m.peakRssMb, unit: 'MB', target: 300 },
      ],
    };
  } finally {
    await rm(tree.dir, { recursive: true, force: true });
  }
}

async function child(dir) {
  const { loadManifests, nodeManifestFs } = await import('../dist/manifest/load-manifests.js');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const manifests = await loadManifests(dir, { fs: nodeManifestFs, cwd: process.cwd(), now: Date.now() });
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    JSON.stringify({
      resources: manifests.resources.length,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      wallSeconds: (t1 - t0) / 1000,
      peakRssMb: Math.round(peakRssMb),
    }),
  );
}

if (process.argv[2] === '--child') await child(process.argv[3]);
