// P1 refresh cost with zone transfer links (issue 15): API calls of a no-change plan over 1 account with 2 TSIGs,
// 3 peers, 2 ACLs and Z zones (half secondary with an incoming link, half primary with an outgoing one), against
// the formula: one list per account-level kind (TSIGs, peers, ACLs) + one GET per managed zone and direction (Z)
// + one status GET per outgoing link (O): 3 + Z + O. (A plan that may delete a peer or TSIG — recorded, no longer
// desired — also reads every Config zone in both directions, so unmanaged links guard the delete: + 2 x zones.)
// CFGITOPS_BENCH_P1_ZONES=4,40 (default).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { startEmulator } from '../dist/emulator/start-emulator.js';
import { apiSection, cli, control, envFor, requestCounts } from './lib/cli-run.js';

const SIZES = (process.env.CFGITOPS_BENCH_P1_ZONES ?? '4,40').split(',').map(Number);
const ACCOUNT = '0123456789abcdef0123456789abcdef';

export async function run() {
  const results = [];
  for (const zones of SIZES) {
    const m = await measure(zones);
    const target = 3 + zones + m.outgoing;
    const label = `2 TSIGs + 3 peers + 2 ACLs + ${zones} zones (${zones - m.outgoing} in, ${m.outgoing} out)`;
    results.push(
      { metric: `plan calls, ${label}`, value: m.planCalls, unit: 'calls', target },
      { metric: `per-resource GET pattern, ${label}`, value: m.perResource, unit: 'calls' },
    );
  }
  return { name: 'P1 refresh cost with zone links (no-change plan)', results };
}

const doc = (kind, name, spec) =>
  `apiVersion: cfgitops.dev/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n  account: main\nspec:\n${spec}---\n`;

async function measure(zoneCount) {
  const dir = await mkdtemp(path.join(tmpdir(), 'cfgitops-p1z-'));
  const emulator = await startEmulator({ rateLimit: false });
  try {
    const zones = Array.from({ length: zoneCount }, (_, i) => ({
      name: `zone${i}.example`,
      id: (i + 1).toString(16).padStart(32, 'a'),
      type: i % 2 === 0 ? 'secondary' : 'primary',
    }));
    for (const z of zones) await control(emulator, 'POST', '/zones', { account: ACCOUNT, ...z });
    const config = [
      'apiVersion: cfgitops.dev/v1',
      'kind: Config',
      'spec:',
      '  accounts:',
      `    main: ${ACCOUNT}`,
      '  zones:',
      ...zones.map((z) => `    ${z.name}: ${z.id}`),
      '  state: { backend: file, path: .cfgitops/state.json }',
      '  secrets: { default: local, sinks: { local: { type: file, path: .cfgitops/secrets.json, format: json } } }',
      apiSection({ concurrency: 8 }),
    ].join('\n');
    let docs = '';
    docs += doc('SecondaryDnsTsig', 'ta', '  name: ta.\n  algo: hmac-sha256.\n  secret: { fromEnv: TSIG_A }\n');
    docs += doc('SecondaryDnsTsig', 'tb', '  name: tb.\n  algo: hmac-sha256.\n  secret: { fromEnv: TSIG_B }\n');
    for (const [n, t] of [
      ['p1', 'ta'],
      ['p2', 'tb'],
      ['p3', undefined],
    ]) {
      docs += doc('SecondaryDnsPeer', n, `  name: ${n}.\n  ip: 192.0.2.${n.slice(1)}\n${t ? `  tsig: ${t}\n` : ''}`);
    }
    docs += doc('SecondaryDnsAcl', 'a1', '  name: a1\n  ip_range: 198.51.100.0/24\n');
    docs += doc('SecondaryDnsAcl', 'a2', '  name: a2\n  ip_range: 2001:db8::/64\n');
    for (const z of zones) {
      docs +=
        z.type === 'secondary'
          ? doc('SecondaryDnsIncoming', z.name.replace('.', '-'), `  zone: ${z.name}\n  peers: [p1, p2]\n`)
          : doc('SecondaryDnsOutgoing', z.name.replace('.', '-'), `  zone: ${z.name}\n  peers: [p3]\n`);
    }
    await writeFile(path.join(dir, 'cfgitops.yaml'), config);
    await writeFile(path.join(dir, 'resources.yaml'), docs.replace(/---\n$/, ''));
    const env = {
      ...envFor(emulator),
      TSIG_A: Buffer.from('p1-zone-links-bench-secret-a-000').toString('base64'),
      TSIG_B: Buffer.from('p1-zone-links-bench-secret-b-000').toString('base64'),
    };
    const applied = await cli(['apply', '--auto-approve', '.'], { cwd: dir, env });
    if (applied.code !== 0) throw new Error(`setup apply failed: ${applied.stderr.slice(0, 800)}`);
    const before = (await requestCounts(emulator)).total;
    const plan = await cli(['plan', '--detailed-exitcode', '.'], { cwd: dir, env });
    if (plan.code !== 0)
      throw new Error(`plan after apply is not empty (exit ${plan.code}): ${plan.stdout.slice(0, 800)}`);
    const planCalls = (await requestCounts(emulator)).total - before;
    const outgoing = zones.filter((z) => z.type === 'primary').length;
    return { planCalls, outgoing, perResource: 2 + 3 + 2 + zoneCount + outgoing };
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}
