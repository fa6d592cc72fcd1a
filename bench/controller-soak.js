/* global fetch, process, console, setTimeout, URL, Buffer */
// Controller soak (not in CI, not in `npm run bench`): the built controller reconciles the example manifests every
// few seconds against an emulator with Cloudflare's rate limit on, while out-of-band changes are injected into the
// emulator. Reports: every drift repaired (checked live, and token values checked against the sink), RSS at start
// and end, 429s (controller metrics and emulator counts), and a scan of everything the controller printed and
// served for every secret the emulator ever minted.
//
//   npm run build && node bench/controller-soak.js --minutes 10 --interval 5s
//
// Exit 0 when every check passed, 1 otherwise.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmulator } from '../dist/emulator/start-emulator.js';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    interval: { type: 'string', default: '5s' },
    'inject-every': { type: 'string', default: '3' },
  },
});
const minutes = Number(args.minutes);
const injectEvery = Number(args['inject-every']);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const emulator = await startEmulator({}); // Cloudflare's limit: 1200 requests / 300 s
const dir = await mkdtemp(join(tmpdir(), 'cfgitops-soak-'));
await cp(join(ROOT, 'desired-state'), join(dir, 'desired-state'), { recursive: true });
const env = {
  PATH: process.env.PATH,
  CLOUDFLARE_API_TOKEN: emulator.apiToken,
  CLOUDFLARE_BASE_URL: emulator.baseUrl,
  CFGITOPS_LOG_LEVEL: 'info',
  CFGITOPS_WEBHOOK_SECRET: 'soak-webhook-secret-0123456789',
};
const child = spawn(
  process.execPath,
  [
    join(ROOT, 'bin/cfgitops.js'),
    'controller',
    '--source',
    'desired-state',
    '--interval',
    args.interval,
    '--listen',
    '127.0.0.1:0',
  ],
  { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] },
);
let stdout = '';
let stderr = '';
child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));

const served = [];
let url = '';
while (!url) {
  const m = /serving (http:\/\/\S+)/.exec(stdout);
  if (m) url = m[1];
  else await sleep(50);
}
const get = async (path) => {
  const text = await (await fetch(url + path)).text();
  return text;
};
const status = async () => JSON.parse(await get('/status'));
const metric = (text, name) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
};
const api = async (method, path, body) => {
  const res = await fetch(emulator.baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${emulator.apiToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return res.json();
};
const control = async (path) => (await fetch(emulator.controlUrl + path)).json();

async function waitForCycleAfter(t, what) {
  for (let i = 0; i < 600; i++) {
    const s = await status();
    if (s.lastCycle && Date.parse(s.lastCycle.startedAt) > t) return s.lastCycle;
    await sleep(250);
  }
  throw new Error(`no cycle after ${what}`);
}

const live = async () => (await control(`/resources?account=${ACCOUNT}`)).accounts[ACCOUNT];

async function sinkValuesCurrent() {
  const values = JSON.parse(await readFile(join(dir, '.cfgitops/secrets.json'), 'utf8'));
  const tokens = (await control(`/resources?account=${ACCOUNT}&secrets=1`)).accounts[ACCOUNT].tokens;
  return Object.values(values).every((v) => {
    const h = createHash('sha256').update(v).digest('hex');
    return tokens.some((t) => t.value_sha256 === h);
  });
}

const INJECTIONS = [
  {
    name: 'peer deleted',
    run: async () => {
      const peer = (await live()).peers.find((p) => p.name === 'ns2.example.com');
      await api('DELETE', `/accounts/${ACCOUNT}/secondary_dns/peers/${peer.id}`);
    },
    repaired: async () => (await live()).peers.some((p) => p.name === 'ns2.example.com' && p.ip === '2001:db8::53'),
  },
  {
    name: 'peer ip changed',
    run: async () => {
      const peer = (await live()).peers.find((p) => p.name === 'ns1.example.com');
      const { id: _id, ...rest } = peer;
      await api('PUT', `/accounts/${ACCOUNT}/secondary_dns/peers/${peer.id}`, { ...rest, ip: '192.0.2.99' });
    },
    repaired: async () => (await live()).peers.some((p) => p.name === 'ns1.example.com' && p.ip === '192.0.2.53'),
  },
  {
    name: 'token deleted',
    run: async () => {
      const token = (await live()).tokens.find((t) => t.name === 'cfgitops zone read-only');
      await api('DELETE', `/accounts/${ACCOUNT}/tokens/${token.id}`);
    },
    repaired: async () =>
      (await live()).tokens.filter((t) => t.name === 'cfgitops zone read-only').length === 1 &&
      (await sinkValuesCurrent()),
  },
];

const first = await waitForCycleAfter(0, 'startup');
const startMetrics = await get('/metrics');
served.push(startMetrics);
const rssStart = metric(startMetrics, 'cfgitops_process_resident_memory_bytes');
const heapStart = metric(startMetrics, 'cfgitops_nodejs_heap_size_used_bytes');
console.log(`first cycle: ${first.result} in ${first.durationMs} ms; RSS ${(rssStart / 1e6).toFixed(1)} MB`);

const results = [];
const rssSeries = [];
const deadline = Date.now() + minutes * 60_000;
let n = 0;
let lastSample = Date.now();
while (Date.now() < deadline) {
  const s = await status();
  served.push(JSON.stringify(s));
  if (s.lastCycle && s.lastCycle.cycle % injectEvery === 0 && s.lastCycle.cycle !== results.at(-1)?.afterCycle) {
    const injection = INJECTIONS[n++ % INJECTIONS.length];
    const at = Date.now();
    await injection.run();
    const cycle = await waitForCycleAfter(at, injection.name);
    const ok = cycle.result === 'applied' && cycle.drifted >= 1 && (await injection.repaired());
    results.push({
      injection: injection.name,
      afterCycle: s.lastCycle.cycle,
      repairedBy: cycle.cycle,
      ok,
      result: cycle.result,
    });
    if (!ok) console.log(`NOT repaired: ${injection.name}: ${JSON.stringify(cycle)}`);
  }
  if (Date.now() - lastSample > 60_000) {
    lastSample = Date.now();
    const m = await get('/metrics');
    served.push(m);
    rssSeries.push(Math.round(metric(m, 'cfgitops_process_resident_memory_bytes') / 1e6));
  }
  await sleep(500);
}

const endMetrics = await get('/metrics');
const endStatus = await get('/status');
served.push(endMetrics, endStatus);
child.kill('SIGTERM');
const exit = await exited;

const counts = await control('/requests');
let emulator429 = 0;
for (const byStatus of Object.values(counts.byOperation)) emulator429 += byStatus['429'] ?? 0;
const secrets = (await control('/secrets')).secrets.map((s) => (typeof s === 'string' ? s : s.value));
secrets.push(emulator.apiToken, env.CFGITOPS_WEBHOOK_SECRET);
const texts = [stdout, stderr, ...served];
const leaks = secrets
  .filter((v) => v.length >= 8)
  .filter((v) => texts.some((t) => t.includes(v) || t.includes(Buffer.from(v).toString('base64'))));
const cycles = Object.fromEntries(
  endMetrics
    .split('\n')
    .filter((l) => l.startsWith('cfgitops_controller_cycles_total{'))
    .map((l) => [/result="([^"]+)"/.exec(l)[1], Number(l.split(' ').pop())]),
);
const summary = {
  minutes,
  interval: args.interval,
  cycles,
  injections: results.length,
  repaired: results.filter((r) => r.ok).length,
  rssStartMB: +(rssStart / 1e6).toFixed(1),
  rssEndMB: +(metric(endMetrics, 'cfgitops_process_resident_memory_bytes') / 1e6).toFixed(1),
  rssPerMinuteMB: rssSeries,
  heapStartMB: +(heapStart / 1e6).toFixed(1),
  heapEndMB: +(metric(endMetrics, 'cfgitops_nodejs_heap_size_used_bytes') / 1e6).toFixed(1),
  apiRequests: counts.total,
  rateLimited429: { controllerMetric: metric(endMetrics, 'cfgitops_api_rate_limited_total'), emulator: emulator429 },
  leakedSecrets: leaks.length,
  secretsScanned: secrets.length,
  exit,
};
console.log(JSON.stringify(summary, null, 2));
await emulator.close();
await rm(dir, { recursive: true, force: true });
const ok =
  summary.injections > 0 &&
  summary.repaired === summary.injections &&
  summary.rateLimited429.controllerMetric === 0 &&
  summary.rateLimited429.emulator === 0 &&
  leaks.length === 0 &&
  exit.code === 0 &&
  (cycles.failed ?? 0) === 0;
process.exit(ok ? 0 : 1);
