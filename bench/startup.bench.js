// Start-up: wall time of `cfgitops --help` and of `cfgitops validate desired-state` (the example tree), each as its own
// process, against `node -e 0` measured in the same run, alternating, median of RUNS. Targets: --help ≤ 2 × and
// validate ≤ 3 × node's own start-up. CFGITOPS_BENCH_BEFORE=/path/to/built/checkout adds the same rows for an earlier
// build (before/after in one run). CFGITOPS_BENCH_STARTUP_RUNS (default 15).
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { spawnTimed } from './lib/spawn-timed.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BEFORE = process.env.CFGITOPS_BENCH_BEFORE;
const RUNS = Number(process.env.CFGITOPS_BENCH_STARTUP_RUNS ?? 15);
const env = { PATH: process.env.PATH, HOME: process.env.HOME };

export async function run() {
  const commands = {
    node: ['-e', '0'],
    help: [path.join(ROOT, 'bin', 'cfgitops.js'), '--help'],
    validate: [path.join(ROOT, 'bin', 'cfgitops.js'), 'validate', 'desired-state'],
    ...(BEFORE
      ? {
          beforeHelp: [path.join(BEFORE, 'bin', 'cfgitops.js'), '--help'],
          beforeValidate: [path.join(BEFORE, 'bin', 'cfgitops.js'), 'validate', 'desired-state'],
        }
      : {}),
  };
  const walls = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  // Alternating, so a burst of load on this shared machine hits every command alike.
  for (let i = 0; i < RUNS; i++) {
    for (const [name, args] of Object.entries(commands)) {
      const r = await spawnTimed(process.execPath, args, { cwd: ROOT, env });
      if (r.code !== 0) throw new Error(`${name} exited ${r.code}: ${r.stderr.slice(0, 500)}`);
      walls[name].push(r.wall);
    }
  }
  const m = Object.fromEntries(Object.entries(walls).map(([k, v]) => [k, median(v)]));
  const results = [
    { metric: 'node -e 0 wall (median)', value: m.node * 1000, unit: 'ms' },
    { metric: 'cfgitops --help wall (median)', value: m.help * 1000, unit: 'ms' },
    { metric: 'cfgitops validate desired-state wall (median)', value: m.validate * 1000, unit: 'ms' },
    { metric: '--help ÷ node -e 0', value: m.help / m.node, unit: '×', target: 2 },
    { metric: 'validate ÷ node -e 0', value: m.validate / m.node, unit: '×', target: 3 },
  ];
  if (BEFORE) {
    results.push(
      { metric: 'before: --help wall (median)', value: m.beforeHelp * 1000, unit: 'ms' },
      { metric: 'before: validate wall (median)', value: m.beforeValidate * 1000, unit: 'ms' },
      { metric: 'before: --help ÷ node -e 0', value: m.beforeHelp / m.node, unit: '×' },
      { metric: 'before: validate ÷ node -e 0', value: m.beforeValidate / m.node, unit: '×' },
    );
  }
  return { name: `Start-up (median of ${RUNS} alternating runs)`, results };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
