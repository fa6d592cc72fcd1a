// A large first apply, where the state's per-commit cost shows: the P1 5,000-token setup tree (7,143 resources: 4,998
// tokens + 1,430 peers + 715 TSIGs in 13 accounts) applied by the CLI in-process against the emulator (no rate limit,
// fast pacing, concurrency 32). Every resource journals two to four commits (intent, id, completion, delivery), so a
// state whose commit rewrites the whole document costs O(resources²) over the run; a write-ahead log keeps it O(1).
// Reports wall and the process's CPU (the emulator runs in the same process). Default 1,000 resources to keep
// `npm run bench` short; CFGITOPS_BENCH_APPLY_RESOURCES=7143 is the size the issue measures.
import { appendFile, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { startEmulator } from '../dist/emulator/start-emulator.js';
import { writeManifestTree } from './fixtures.js';
import { apiSection, cli, envFor } from './lib/cli-run.js';

const RESOURCES = Number(process.env.CFGITOPS_BENCH_APPLY_RESOURCES ?? 1000);

export async function run() {
  const accounts = RESOURCES > 1000 ? 13 : 4;
  const tree = await writeManifestTree({ resources: RESOURCES, files: Math.ceil(RESOURCES / 100), accounts });
  const emulator = await startEmulator({ rateLimit: false });
  try {
    await appendFile(`${tree.dir}/cfgitops.yaml`, apiSection({ concurrency: 32 }));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const applied = await cli(['apply', '--auto-approve', '.'], { cwd: tree.dir, env: envFor(emulator) });
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (applied.code !== 0) throw new Error(`apply failed: ${applied.stderr.slice(0, 500)}`);
    const stateDir = path.join(tree.dir, '.cfgitops');
    const files = await readdir(stateDir);
    const sizes = await Promise.all(files.map(async (f) => [f, (await stat(path.join(stateDir, f))).size]));
    return {
      name: `state: first apply of ${RESOURCES} resources (${accounts} accounts, concurrency 32, file state)`,
      results: [
        { metric: 'apply wall', value: wall, unit: 's' },
        { metric: 'apply cpu (CLI + in-process emulator)', value: (cpu.user + cpu.system) / 1e6, unit: 's' },
        { metric: `state files after the run: ${sizes.map(([f, s]) => `${f} ${s} B`).join(', ')}`, value: 0, unit: '' },
      ],
    };
  } finally {
    await emulator.close();
    await rm(tree.dir, { recursive: true, force: true });
  }
}
