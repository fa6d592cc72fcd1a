// Emulator throughput: requests/s it sustains on loopback with an undici Pool at concurrency 16 for a few seconds,
// rate limiting off. Mix: 50% list peers, 20% get peer, 10% create peer, 10% get token, 10% list tokens.
// Also p50/p95 latency per operation as the client sees it, and the 1-minute load average for context: on a shared
// machine the figures say more about the neighbours than about the emulator.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { URL } from 'node:url';
import { Pool } from 'undici';
import { startEmulator } from '../dist/emulator/start-emulator.js';

const ACCOUNT = '0123456789abcdef0123456789abcdef';
const CONCURRENCY = 16;
const DURATION_MS = Number(process.env.CFGITOPS_BENCH_EMULATOR_MS ?? 4000);

export async function run() {
  const emulator = await startEmulator({ rateLimit: false, seed: 1 });
  const origin = new URL(emulator.baseUrl).origin;
  const pool = new Pool(origin, { connections: CONCURRENCY, pipelining: 1 });
  const headers = { authorization: `Bearer ${emulator.apiToken}`, 'content-type': 'application/json' };
  const base = `/client/v4/accounts/${ACCOUNT}`;
  const call = async (method, path, body) => {
    const res = await pool.request({ method, path: base + path, headers, body: body && JSON.stringify(body) });
    const json = await res.body.json();
    if (res.statusCode !== 200) throw new Error(`${method} ${path}: ${res.statusCode} ${JSON.stringify(json.errors)}`);
    return json.result;
  };
  try {
    const peerIds = [];
    for (let i = 0; i < 20; i++) peerIds.push((await call('POST', '/secondary_dns/peers', { name: `seed-${i}` })).id);
    const tokenBody = {
      name: 'bench',
      policies: [
        {
          effect: 'allow',
          permission_groups: [{ id: '82e64a83756745bbbb1c9c2701bf816b' }],
          resources: { [`com.cloudflare.api.account.${ACCOUNT}`]: '*' },
        },
      ],
    };
    const tokenId = (await call('POST', '/tokens', tokenBody)).id;

    const latencies = [];
    let n = 0;
    const deadline = performance.now() + DURATION_MS;
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    const worker = async () => {
      while (performance.now() < deadline) {
        const pick = n++ % 10;
        const t0 = performance.now();
        if (pick < 5) await call('GET', '/secondary_dns/peers');
        else if (pick < 7) await call('GET', `/secondary_dns/peers/${peerIds[n % peerIds.length]}`);
        else if (pick < 8)
          await call('POST', '/secondary_dns/peers', { name: `p-${n}` }).then((p) =>
            call('DELETE', `/secondary_dns/peers/${p.id}`),
          );
        else if (pick < 9) await call('GET', `/tokens/${tokenId}`);
        else await call('GET', '/tokens?per_page=50');
        latencies.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsed = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const requests = emulator.counts.total - 21;
    latencies.sort((a, b) => a - b);
    const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
    return {
      name: 'emulator',
      results: [
        {
          metric: `requests/s (concurrency ${CONCURRENCY}, ${DURATION_MS / 1000} s, mixed)`,
          value: Math.round(requests / elapsed),
          unit: 'req/s',
        },
        {
          metric: 'CPU per request (emulator + undici client, one process)',
          value: Number(((cpu.user + cpu.system) / 1000 / requests).toFixed(3)),
          unit: 'ms',
        },
        { metric: 'operation latency p50', value: Number(q(0.5).toFixed(2)), unit: 'ms' },
        { metric: 'operation latency p95', value: Number(q(0.95).toFixed(2)), unit: 'ms' },
        { metric: 'machine load average (1 min) during the run', value: Number(loadavg()[0].toFixed(2)), unit: '' },
      ],
    };
  } finally {
    await pool.close();
    await emulator.close();
  }
}
