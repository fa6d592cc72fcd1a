/* global URL, setTimeout */
// P2 apply under the rate limit, in real time: 500 tokens created by `cfgitops apply` with the emulator's limit
// scaled down to the shape of Cloudflare's 1200 / 300 s (120 / 30 s, block = window) and the Config's pacing set to
// the same. Floor = the TRUE floor: the fastest schedule that never has more than R calls in any window W sends R at
// once, R more W later, …, so N calls cannot be done before (ceil(N / R) − 1) × W (N ÷ rate overstates it: 125.5 s
// instead of 120 s for 502 calls at 120 / 30 s). Target ≤ 1.05 × that floor, zero 429s. Beside it, an unpaced raw undici loop at
// concurrency 10 making the same 500 creates (waiting out retry-after on 429), which trips the block.
// Takes ~4 minutes (two runs of ~2 minutes each): that is the floor.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { Agent } from 'undici';
import { startEmulator } from '../dist/emulator/start-emulator.js';
import { apiSection, cli, envFor, requestCounts } from './lib/cli-run.js';

const TOKENS = Number(process.env.CFGITOPS_BENCH_P2_TOKENS ?? 500);
const LIMIT = { quota: 120, windowSeconds: 30, blockSeconds: 30 };
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const POLICY = {
  effect: 'allow',
  permission_groups: [{ id: '82e64a83756745bbbb1c9c2701bf816b' }],
  resources: { [`com.cloudflare.api.account.${ACCOUNT}`]: '*' },
};

export async function run() {
  const paced = await viaCli();
  const raw = await unpacedLoop();
  return {
    name: `P2 ${TOKENS} token creates under a ${LIMIT.quota} / ${LIMIT.windowSeconds} s limit`,
    results: [
      { metric: 'cfgitops apply: API calls', value: paced.calls, unit: 'calls' },
      { metric: 'cfgitops apply: true floor ((ceil(calls ÷ R) − 1) × W)', value: paced.floor, unit: 's' },
      { metric: 'cfgitops apply: wall time', value: paced.wall, unit: 's' },
      { metric: 'cfgitops apply: wall ÷ floor', value: paced.wall / paced.floor, unit: '×', target: 1.05 },
      { metric: 'cfgitops apply: 429 answers', value: paced.limited, unit: 'count', target: 0 },
      { metric: 'unpaced undici ×10: wall time', value: raw.wall, unit: 's' },
      { metric: 'unpaced undici ×10: wall ÷ floor', value: raw.wall / raw.floor, unit: '×' },
      { metric: 'unpaced undici ×10: 429 answers', value: raw.limited, unit: 'count' },
    ],
  };
}

function trueFloor(calls) {
  return (Math.ceil(calls / LIMIT.quota) - 1) * LIMIT.windowSeconds;
}

function limitedCount(counts) {
  return Object.values(counts.byOperation).reduce((n, o) => n + (o['429'] ?? 0), 0);
}

async function viaCli() {
  const dir = await mkdtemp(path.join(tmpdir(), 'cfgitops-p2-'));
  const emulator = await startEmulator({ rateLimit: LIMIT });
  try {
    await writeFile(
      path.join(dir, 'cfgitops.yaml'),
      `apiVersion: cfgitops.dev/v1\nkind: Config\nspec:\n  accounts:\n    main: "${ACCOUNT}"\n` +
        apiSection({ requests: LIMIT.quota, windowSeconds: LIMIT.windowSeconds, concurrency: 10 }),
    );
    const docs = Array.from(
      { length: TOKENS },
      (_, i) =>
        `apiVersion: cfgitops.dev/v1\nkind: AccountToken\nmetadata:\n  name: t${i}\n  account: main\nspec:\n` +
        `  name: bench token ${i}\n  policies:\n    - effect: allow\n      permission_groups:\n        - name: DNS Read\n` +
        `      resources:\n        com.cloudflare.api.account.${ACCOUNT}: "*"\n`,
    );
    await writeFile(path.join(dir, 'tokens.yaml'), docs.join('---\n'));
    const t0 = performance.now();
    const r = await cli(['apply', '--auto-approve', '.'], { cwd: dir, env: envFor(emulator) });
    const wall = (performance.now() - t0) / 1000;
    if (r.code !== 0) throw new Error(`apply failed: ${r.stderr.slice(0, 500)}`);
    const counts = await requestCounts(emulator);
    return {
      wall,
      calls: counts.total,
      floor: trueFloor(counts.total),
      limited: limitedCount(counts),
    };
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function unpacedLoop() {
  const emulator = await startEmulator({ rateLimit: LIMIT });
  const agent = new Agent({ connections: 10 });
  const url = new URL(emulator.baseUrl);
  try {
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < TOKENS) {
          const i = next++;
          for (;;) {
            const res = await agent.request({
              origin: url.origin,
              path: `${url.pathname}/accounts/${ACCOUNT}/tokens`,
              method: 'POST',
              headers: { authorization: `Bearer ${emulator.apiToken}`, 'content-type': 'application/json' },
              body: JSON.stringify({ name: `raw token ${i}`, policies: [POLICY] }),
            });
            await res.body.text();
            if (res.statusCode !== 429) break;
            const after = Number(res.headers['retry-after'] ?? 1);
            await new Promise((r) => setTimeout(r, after * 1000));
          }
        }
      }),
    );
    const wall = (performance.now() - t0) / 1000;
    const counts = await requestCounts(emulator);
    return { wall, floor: trueFloor(TOKENS), limited: limitedCount(counts) };
  } finally {
    await agent.close();
    await emulator.close();
  }
}
