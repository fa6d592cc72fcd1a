// "apply 1 TSIG + 20 peers + 30 tokens": requests sent (the minimum is 1 per TSIG, 2 per peer — POST {name} then PUT
// — and 1 per token), state commits, and wall time against the emulator with 20 ms of latency per request, at
// concurrency 1 and 4. Every step also makes 2–4 durable state writes (intent, id, complete/delivered); concurrent
// steps share writes (group commit), which is where concurrency pays off. Imports from ../dist (`npm run bench`
// builds first).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';

const ACCOUNT = '0123456789abcdef0123456789abcdef';
const DNS_READ = '82e64a83756745bbbb1c9c2701bf816b';
const PEERS = 20;
const TOKENS = 30;
const LATENCY_MS = 20;
const MIN_REQUESTS = 1 + 2 * PEERS + TOKENS;

export async function run() {
  const results = [];
  for (const concurrency of [1, 4]) {
    const m = await applyOnce(concurrency);
    if (m.failed > 0) throw new Error(`${m.failed} steps failed at concurrency ${concurrency}`);
    results.push(
      {
        metric: `API requests (concurrency ${concurrency})`,
        value: m.requests,
        unit: 'requests',
        target: MIN_REQUESTS,
      },
      { metric: `state commits (concurrency ${concurrency})`, value: m.commits, unit: 'commits' },
      { metric: `wall time, ${LATENCY_MS} ms latency (concurrency ${concurrency})`, value: m.seconds, unit: 's' },
    );
  }
  return { name: `executor: apply 1 TSIG + ${PEERS} peers + ${TOKENS} tokens`, results };
}

async function applyOnce(concurrency) {
  const [
    { startEmulator },
    { createCloudflareClient },
    { Pacer },
    { createFileStateStore },
    sinksMod,
    cfg,
    exec,
    log,
    sec,
    planMod,
  ] = await Promise.all([
    import('../dist/emulator/start-emulator.js'),
    import('../dist/cloudflare/cloudflare-client.js'),
    import('../dist/cloudflare/pacer.js'),
    import('../dist/state/file-state-store.js'),
    import('../dist/secrets/create-secret-sinks.js'),
    import('../dist/config/types.js'),
    import('../dist/executor/execute-plan.js'),
    import('../dist/log.js'),
    import('../dist/secret.js'),
    import('../dist/planner/plan.js'),
  ]);
  const { systemClock } = await import('../dist/effects.js');
  const dir = await mkdtemp(join(tmpdir(), 'cfgitops-bench-executor-'));
  const emulator = await startEmulator({ rateLimit: false, latencyMs: LATENCY_MS, seed: 1 });
  const logger = log.silentLogger();
  const api = createCloudflareClient({
    baseUrl: emulator.baseUrl,
    credentials: { type: 'token', token: new sec.Secret(emulator.apiToken) },
    clock: systemClock,
    random: Math.random,
    log: logger,
    pacing: new Pacer({ requests: 100_000, windowSeconds: 1 }, systemClock),
    retry: { retries: 2, minTimeoutMs: 0, maxTimeoutMs: 0, deadlineSeconds: 60 },
    timeouts: { connectMs: 5000, headersMs: 10_000, bodyMs: 10_000 },
  });
  const store = createFileStateStore({
    path: join(dir, 'state.json'),
    clock: systemClock,
    random: Math.random,
    hostname: 'bench',
    pid: process.pid,
    owner: 'bench',
  });
  const config = cfg.defaultConfig();
  config.sinks = { local: { type: 'file', path: 'secrets.json', format: 'json' } };
  const sinks = sinksMod.createSecretSinks(config, { env: {}, clock: systemClock, log: logger, cwd: dir });
  const tsigKey = `SecondaryDnsTsig/${ACCOUNT}/xfr`;
  const steps = [
    step('SecondaryDnsTsig', 'xfr', { kind: 'SecondaryDnsTsig', name: 'xfr.bench.', algo: 'hmac-sha256.' }),
    ...Array.from({ length: PEERS }, (_, i) =>
      step(
        'SecondaryDnsPeer',
        `ns${i}`,
        {
          kind: 'SecondaryDnsPeer',
          name: `ns${i}.bench`,
          ip: `192.0.2.${i + 1}`,
          port: 53,
          ixfr_enable: false,
          tsig_ref: tsigKey,
        },
        [`create:${tsigKey}`],
      ),
    ),
    ...Array.from({ length: TOKENS }, (_, i) => ({
      ...step('AccountToken', `t${i}`, {
        kind: 'AccountToken',
        body: {
          name: `bench token ${i}`,
          policies: [
            {
              effect: 'allow',
              permission_groups: [{ id: DNS_READ }],
              resources: { [`com.cloudflare.api.account.${ACCOUNT}`]: '*' },
            },
          ],
          status: 'active',
        },
      }),
      sink: { sink: 'local', key: `t${i}` },
    })),
  ];
  const lock = await store.lock('bench', 0);
  let commits = 0;
  const counting = {
    info: lock.info,
    current: () => lock.current(),
    release: () => lock.release(),
    commit: (c) => (commits++, lock.commit(c)),
  };
  let ids = 0;
  try {
    emulator.counts.clear();
    const t0 = performance.now();
    const result = await exec.executePlan(
      {
        format_version: 1,
        created_at: new Date().toISOString(),
        manifests_digest: 'bench',
        config_digest: 'bench',
        state: { lineage: lock.current().lineage, serial: lock.current().serial },
        steps,
        summary: planMod.summarize(steps),
        warnings: [],
      },
      {
        api,
        lock: counting,
        sinks,
        tsigSecrets: new Map([[tsigKey, new sec.Secret('YmVuY2gtdHNpZy1zZWNyZXQtdmFsdWU=')]]),
        clock: systemClock,
        newId: () => `bench-${ids++}`,
        log: logger,
        concurrency,
      },
    );
    const seconds = (performance.now() - t0) / 1000;
    return {
      seconds: Number(seconds.toFixed(3)),
      requests: emulator.counts.total,
      commits,
      failed: result.counts.failed,
    };
  } finally {
    await lock.release();
    await api.close();
    await emulator.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function step(kind, name, body, dependsOn = []) {
  const key = `${kind}/${ACCOUNT}/${name}`;
  return {
    id: `create:${key}`,
    action: 'create',
    address: { kind, account: ACCOUNT, name },
    cfName: body.kind === 'AccountToken' ? body.body.name : body.name,
    reason: 'bench',
    diff: [],
    dependsOn,
    body,
  };
}
