/* global fetch, process, console, setTimeout, URL */
// Controller memory per cycle (not in CI, not in `npm run bench`): the controller runs in this process, cycling as
// fast as it can (interval 50 ms) against an emulator in a child process, while a token is deleted out of band every
// 5th cycle so each of those cycles mints a new value. Every 50 cycles it forces two full GCs and prints the V8 heap
// in use, RSS and the secret scrubber's size: a leak shows as a heap that climbs after GC, whatever RSS does.
// `--snapshots` also writes heap snapshots at cycle 100 and at the end, to diff by constructor in DevTools.
//
//   npm run build && node --expose-gc bench/controller-heap.js --cycles 400
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import { createApp } from '../dist/app.js';
import { runControllerCommand } from '../dist/cli/commands/controller.js';
import { secretScrubber } from '../dist/secret.js';

const { values: args } = parseArgs({
  options: { cycles: { type: 'string', default: '400' }, snapshots: { type: 'boolean', default: false } },
});
const CYCLES = Number(args.cycles);
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The emulator lives in a child so its own allocations do not count; no rate limit, the cycles are back to back.
const emulatorChild = spawn(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    `const { startEmulator } = await import(${JSON.stringify(join(ROOT, 'dist/emulator/start-emulator.js'))});
     const e = await startEmulator({ rateLimit: false });
     console.log(JSON.stringify({ baseUrl: e.baseUrl, controlUrl: e.controlUrl, apiToken: e.apiToken }));`,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const emulator = await new Promise((resolve) => emulatorChild.stdout.once('data', (d) => resolve(JSON.parse(d))));
const dir = await mkdtemp(join(tmpdir(), 'cfgitops-heap-'));
await cp(join(ROOT, 'desired-state'), join(dir, 'desired-state'), { recursive: true });
const config = join(dir, 'desired-state/cfgitops.yaml');
await writeFile(config, (await readFile(config, 'utf8')).replace('requests: 1200', 'requests: 1000000'));

const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
let url;
const app = createApp({
  env: {
    PATH: process.env.PATH,
    CLOUDFLARE_API_TOKEN: emulator.apiToken,
    CLOUDFLARE_BASE_URL: emulator.baseUrl,
    CFGITOPS_LOG_LEVEL: 'info',
  },
  cwd: dir,
  stdout: { write: (s) => ((url ??= /serving (http:\/\/\S+)/.exec(s)?.[1]), true) },
  stderr: discard,
  logDestination: discard,
});
const controller = runControllerCommand(app, {
  source: { dir: 'desired-state' },
  git: {},
  mode: 'apply',
  intervalMs: 50,
  sourceIntervalMs: 50,
  jitter: 0,
  backoffBaseMs: 50,
  backoffMaxMs: 50,
  cycleTimeoutMs: 60_000,
  failingThresholdMs: 60_000,
  rotateAfterMs: 86_400_000,
  leaderRetryMs: 1_000,
  listen: { host: '127.0.0.1', port: 0 },
  emulator: false,
});
while (!url) await sleep(20);

const lastCycle = async () => {
  for (let i = 0; ; i++) {
    try {
      return (await (await fetch(`${url}/status`)).json()).lastCycle;
    } catch (e) {
      if (i > 3) throw e;
      await sleep(50);
    }
  }
};
const deleteToken = async () => {
  const live = await (await fetch(`${emulator.controlUrl}/resources?account=${ACCOUNT}`)).json();
  const token = live.accounts[ACCOUNT].tokens.find((t) => t.name === 'cfgitops zone read-only');
  if (token === undefined) return;
  await fetch(`${emulator.baseUrl}/accounts/${ACCOUNT}/tokens/${token.id}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${emulator.apiToken}` },
  });
};

const rows = [];
let injectedAt = 0;
for (;;) {
  const last = await lastCycle();
  const n = last?.cycle ?? 0;
  if (n > CYCLES) break;
  if (n > 0 && n % 5 === 0 && n !== injectedAt) {
    injectedAt = n;
    await deleteToken();
  }
  if (n > 0 && n % 50 === 0 && rows.at(-1)?.cycle !== n) {
    globalThis.gc();
    globalThis.gc();
    const m = process.memoryUsage();
    rows.push({
      cycle: n,
      heapUsedMB: +(m.heapUsed / 1e6).toFixed(2),
      rssMB: +(m.rss / 1e6).toFixed(1),
      externalMB: +(m.external / 1e6).toFixed(2),
      scrubberValues: secretScrubber.size,
      result: last.result,
    });
    console.log(JSON.stringify(rows.at(-1)));
    if (args.snapshots && (n === 100 || n === CYCLES)) console.log(`snapshot ${writeHeapSnapshot()}`);
  }
  await sleep(10);
}
process.kill(process.pid, 'SIGTERM'); // the controller stops the way it does in a pod
await controller;
emulatorChild.kill();
await rm(dir, { recursive: true, force: true });
const first = rows[0];
const end = rows.at(-1);
console.log(
  JSON.stringify({
    cycles: end.cycle,
    heapUsedMB: [first.heapUsedMB, end.heapUsedMB],
    heapPerCycleKB: +(((end.heapUsedMB - first.heapUsedMB) * 1e3) / (end.cycle - first.cycle)).toFixed(2),
    scrubberValues: [first.scrubberValues, end.scrubberValues],
  }),
);
