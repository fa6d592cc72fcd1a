// P1 refresh cost: API calls for a no-change plan with N tokens + M peers (+ their TSIGs) across accounts, against
// the per-resource-GET pattern (Terraform refreshes each resource with one GET). Target per account:
// ≤ ceil(tokens/50) + 3 calls (token pages of 50, one peer list, one TSIG list, the permission groups).
// Setup applies the tree once through the CLI (emulator without rate limit, fast pacing); the figure is the emulator's
// request count across one `plan` afterwards. CFGITOPS_BENCH_P1_SIZES=100,1000,5000 adds the 5,000-token run (several minutes of setup applies; default 100,1000).
import { appendFile, rm } from 'node:fs/promises';
import process from 'node:process';
import { startEmulator } from '../dist/emulator/start-emulator.js';
import { writeManifestTree } from './fixtures.js';
import { apiSection, cli, envFor, requestCounts } from './lib/cli-run.js';

const SIZES = (process.env.CFGITOPS_BENCH_P1_SIZES ?? '100,1000').split(',').map(Number);

export async function run() {
  const results = [];
  for (const tokens of SIZES) {
    // 7 in 10 fixture resources are tokens; 13 accounts (coprime with the fixture's 10-slot cycle) mix the kinds and
    // keep every account under Cloudflare's 500-token quota up to 5,000 tokens.
    const resources = Math.ceil(tokens / 0.7);
    const accounts = tokens <= 400 ? 1 : 13;
    const m = await measure(resources, accounts);
    const target = Object.values(m.tokensPerAccount).reduce((s, n) => s + Math.ceil(n / 50) + 3, 0);
    const label = `${m.counts.AccountToken} tokens + ${m.counts.SecondaryDnsPeer} peers + ${m.counts.SecondaryDnsTsig} TSIGs, ${accounts} account(s)`;
    results.push(
      { metric: `plan calls, ${label}`, value: m.planCalls, unit: 'calls', target },
      { metric: `per-resource GET pattern, ${label}`, value: m.perResource, unit: 'calls' },
      { metric: `ratio cfgitops / per-resource, ${label}`, value: m.planCalls / m.perResource, unit: '×' },
    );
  }
  return { name: 'P1 refresh cost (no-change plan)', results };
}

async function measure(resources, accountCount) {
  const tree = await writeManifestTree({
    resources,
    files: Math.max(1, Math.ceil(resources / 100)),
    accounts: accountCount,
  });
  const emulator = await startEmulator({ rateLimit: false });
  try {
    // The setup apply is not what P1 measures; a wide concurrency lets the file state's group commit batch its
    // journal writes (each rewrites the whole state file), which keeps the 5,000-token setup to minutes.
    await appendFile(`${tree.dir}/cfgitops.yaml`, apiSection({ concurrency: resources > 1000 ? 32 : 8 }));
    const env = envFor(emulator);
    const applied = await cli(['apply', '--auto-approve', '.'], { cwd: tree.dir, env });
    if (applied.code !== 0) throw new Error(`setup apply failed: ${applied.stderr.slice(0, 500)}`);
    const before = (await requestCounts(emulator)).total;
    const plan = await cli(['plan', '--detailed-exitcode', '.'], { cwd: tree.dir, env });
    if (plan.code !== 0)
      throw new Error(`plan after apply is not empty (exit ${plan.code}): ${plan.stderr.slice(0, 500)}`);
    const planCalls = (await requestCounts(emulator)).total - before;
    const tokensPerAccount = {};
    for (let i = 0; i < resources; i++) {
      if (i % 10 >= 3) tokensPerAccount[i % accountCount] = (tokensPerAccount[i % accountCount] ?? 0) + 1;
    }
    const c = tree.counts;
    return {
      planCalls,
      perResource: c.AccountToken + c.SecondaryDnsPeer + c.SecondaryDnsTsig,
      counts: c,
      tokensPerAccount,
    };
  } finally {
    await emulator.close();
    await rm(tree.dir, { recursive: true, force: true });
  }
}
