// Runs every bench/*.bench.js (or those whose file name contains one of the argv words), prints a Markdown table
// and writes the results as JSON to bench/results/. Benchmarks import from ../dist: `npm run bench` builds first.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import process from 'node:process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = (await readdir(here))
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort();

const rows = [];
const report = { startedAt: new Date().toISOString(), node: process.version, benchmarks: [] };
let failed = false;
for (const file of files) {
  const mod = await import(pathToFileURL(path.join(here, file)).href);
  if (typeof mod.run !== 'function') continue;
  try {
    const result = await mod.run();
    report.benchmarks.push({ file, ...result });
    for (const r of result.results) {
      const ok = r.target === undefined ? '' : r.value <= r.target ? 'yes' : 'NO';
      if (ok === 'NO') failed = true;
      rows.push([result.name, r.metric, format(r.value), r.unit, r.target ?? '', ok]);
    }
  } catch (e) {
    failed = true;
    report.benchmarks.push({ file, error: String(e?.stack ?? e) });
    rows.push([file, 'error', String(e?.message ?? e).split('\n')[0], '', '', 'NO']);
  }
}

const header = ['name', 'metric', 'value', 'unit', 'target', 'ok'];
const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
process.stdout.write(`${table}\n`);
// Benchmarks may add a table of their own (P5: the SDK-vs-cfgitops table, before and after).
for (const b of report.benchmarks) if (b.markdown) process.stdout.write(`\n${b.name}\n\n${b.markdown}\n`);
const outDir = path.join(here, 'results');
await mkdir(outDir, { recursive: true });
const outFile = path.join(outDir, `bench-${report.startedAt.replace(/[:.]/g, '-')}.json`);
await writeFile(outFile, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`\nresults: ${path.relative(process.cwd(), outFile)}\n`);
if (failed) process.exitCode = 1;

function format(value) {
  return typeof value === 'number' ? String(Math.round(value * 1000) / 1000) : String(value);
}
