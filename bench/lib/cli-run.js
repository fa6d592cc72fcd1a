/* global fetch, process */
// Helpers shared by the P1–P4 benchmarks: run the built CLI in-process with captured streams against an emulator,
// and read the emulator's request counts.
import { main } from '../../dist/cli/main.js';

export async function cli(argv, { cwd, env }) {
  const out = [];
  const err = [];
  const stream = (into) => ({ write: (s) => (into.push(s), true), isTTY: false });
  const code = await main(argv, { env, cwd, stdout: stream(out), stderr: stream(err) });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

export async function control(emulator, method, path, body) {
  const res = await fetch(emulator.controlUrl + path, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return res.json();
}

/** `{total, byOperation}` from the emulator; `total` counts every API call it answered or dropped. */
export async function requestCounts(emulator) {
  return control(emulator, 'GET', '/requests');
}

export function envFor(emulator) {
  return {
    CLOUDFLARE_API_TOKEN: emulator.apiToken,
    CLOUDFLARE_BASE_URL: emulator.baseUrl,
    CFGITOPS_LOG_LEVEL: 'warn',
    PATH: process.env.PATH,
  };
}

/** Appends an `api` section (fast pacing for setup, or the pacing a benchmark measures) to the tree's Config. */
export function apiSection({ requests = 100_000, windowSeconds = 1, concurrency = 8, timeoutSeconds = 30 } = {}) {
  return [
    '  api:',
    `    concurrency: ${concurrency}`,
    `    timeoutSeconds: ${timeoutSeconds}`,
    '    rateLimit:',
    `      requests: ${requests}`,
    `      windowSeconds: ${windowSeconds}`,
    '',
  ].join('\n');
}
