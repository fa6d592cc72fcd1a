// A large first apply, where the state's per-commit cost shows: the P1 5,000-token setup tree (7,143 resources: 4,998
// tokens + 1,430 peers + 715 TSIGs in 13 accounts) applied by the built CLI, as its own process, against the emulator
// (in this process; no rate limit, fast pacing, concurrency 32). Every resource journals two to four commits (intent,
// id, completion, delivery), so a state whose commit rewrites the whole document costs O(resources²) over the run; a
// write-ahead log keeps each commit O(change). Reports the apply's wall and the CLI process's CPU.
// Default 1,000 resources to keep `npm run bench` short; CFGITOPS_BENCH_APPLY_RESOURCES=7143 is the size issue #17
// measures. CFGITOPS_BENCH_BEFORE=/path/to/built/checkout applies the same tree with an earlier build in the same run
// (e.g. the build before the write-ahead log: `git worktree add /tmp/before 506b947~1`, then build it); target: now
// at least 5 × faster than before (now ÷ before ≤ 0.2).
import { appendFile, readFile, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../dist/emulator/start-emulator.js';
import { writeManifestTree } from './fixtures.js';
import { apiSection, envFor } from './lib/cli-run.js';
import { spawnTimed } from './lib/spawn-timed.js';

const RESOURCES = Number(process.env.CFGITOPS_BENCH_APPLY_RESOURCES ?? 1000);
const BEFORE = process.env.CFGITOPS_BENCH_BEFORE;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function run() {
  const accounts = RESOURCES > 1000 ? 13 : 4;
  const now = await applyOnce(ROOT, accounts);
  const results = [
    { metric: 'apply wall', value: now.wall, unit: 's' },
    { metric: 'apply cpu (the CLI process)', value: now.cpu, unit: 's' },
    { metric: `state files after the run: ${now.files}`, value: 0, unit: '' },
  ];
  if (BEFORE) {
    const before = await applyOnce(BEFORE, accounts);
    results.push(
      { metric: `before (${path.basename(BEFORE)}): apply wall`, value: before.wall, unit: 's' },
      { metric: 'before: apply cpu (the CLI process)', value: before.cpu, unit: 's' },
      { metric: 'before ÷ now (apply wall)', value: before.wall / now.wall, unit: '×' },
      { metric: 'now ÷ before (apply wall; ≥ 5 × faster)', value: now.wall / before.wall, unit: '×', target: 0.2 },
    );
  }
  return {
    name: `state: first apply of ${RESOURCES} resources (${accounts} accounts, concurrency 32, file state)`,
    results,
  };
}

/** One fresh tree and emulator, applied by `root`'s built CLI; CPU is the child's own. */
async function applyOnce(root, accounts) {
  const tree = await writeManifestTree({ resources: RESOURCES, files: Math.ceil(RESOURCES / 100), accounts });
  const emulator = await startEmulator({ rateLimit: false });
  try {
    await appendFile(`${tree.dir}/cfgitops.yaml`, apiSection({ concurrency: 32 }));
    const bin = path.join(root, 'bin', 'cfgitops.js');
    const cpuReport = path.join(tree.dir, 'cpu.json');
    // The child reports its own CPU on exit (a preload module), so the emulator's share in this process is left out.
    const r = await spawnTimed(
      process.execPath,
      ['--import', cpuReporter(cpuReport), bin, 'apply', '--auto-approve', '.'],
      { cwd: tree.dir, env: envFor(emulator) },
    );
    if (r.code !== 0) throw new Error(`${root}: apply failed: ${r.stderr.slice(0, 500)}`);
    const cpu = JSON.parse(await readFile(cpuReport, 'utf8'));
    const stateDir = path.join(tree.dir, '.cfgitops');
    const files = await readdir(stateDir);
    const sizes = await Promise.all(files.map(async (f) => [f, (await stat(path.join(stateDir, f))).size]));
    return { wall: r.wall, cpu: cpu.seconds, files: sizes.map(([f, s]) => `${f} ${s} B`).join(', ') };
  } finally {
    await emulator.close();
    await rm(tree.dir, { recursive: true, force: true });
  }
}

/** A data: URL module that writes the process's CPU seconds to `file` when it exits. */
function cpuReporter(file) {
  const code =
    `import { writeFileSync } from 'node:fs';` +
    `process.on('exit', () => { const u = process.cpuUsage(); ` +
    `writeFileSync(${JSON.stringify(file)}, JSON.stringify({ seconds: (u.user + u.system) / 1e6 })); });`;
  return `data:text/javascript,${encodeURIComponent(code)}`;
}
