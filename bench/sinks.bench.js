// Secret sink throughput, on the real file system:
// 1. file sink: 200 token values delivered concurrently into one JSON file (each put is a serialized
//    read-modify-write with fsync + rename, so this is the cost of never losing a key). ms per put.
// 2. age sink (layout files, 2 X25519 recipients): 100 values encrypted and written. ms per put.
// 3. age sink (layout yaml): 100 values into one document (the document grows; each put rewrites it). ms per put.
// Targets: a delivery follows a Cloudflare create or roll (a paced API call of ~100 ms or more), so a sink put
// under 50 ms never becomes the bottleneck of an apply; two fsyncs per put dominate on a busy disk.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { defaultConfig } from '../dist/config/types.js';
import { systemClock } from '../dist/effects.js';
import { silentLogger } from '../dist/log.js';
import { Secret } from '../dist/secret.js';
import { createSecretSinks } from '../dist/secrets/create-secret-sinks.js';

const token = { name: 'bench', id: 'id', account: 'acct', cf_name: 'bench' };
const value = (i) => new Secret(`cfat_bench_${String(i).padStart(6, '0')}_abcdefghijklmnopqrstuvwxyz0123`);

async function timePuts(dir, sinkConfig, count) {
  const config = { ...defaultConfig(), sinks: { s: sinkConfig }, defaultSink: 's' };
  const sink = createSecretSinks(config, { env: {}, clock: systemClock, log: silentLogger(), cwd: dir }).get('s');
  const start = performance.now();
  await Promise.all(Array.from({ length: count }, (_, i) => sink.put({ sink: 's', key: `k${i}` }, token, value(i))));
  return (performance.now() - start) / count;
}

export async function run() {
  const dir = await mkdtemp(join(tmpdir(), 'cfgitops-bench-sinks-'));
  try {
    const recipients = await Promise.all([1, 2].map(async () => identityToRecipient(await generateX25519Identity())));
    const file = await timePuts(dir, { type: 'file', path: 'secrets.json', format: 'json' }, 200);
    const ageFiles = await timePuts(dir, { type: 'age', path: 'age', recipients, layout: 'files' }, 100);
    const ageYaml = await timePuts(dir, { type: 'age', path: 'age.yaml', recipients, layout: 'yaml' }, 100);
    return {
      name: 'secret sinks',
      results: [
        {
          metric: 'file sink put (json, 200 concurrent, fsync+rename)',
          value: round(file),
          unit: 'ms/put',
          target: 50,
        },
        { metric: 'age sink put (files, 2 recipients)', value: round(ageFiles), unit: 'ms/put', target: 50 },
        { metric: 'age sink put (yaml document, 100 keys)', value: round(ageYaml), unit: 'ms/put', target: 50 },
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function round(n) {
  return Math.round(n * 100) / 100;
}
