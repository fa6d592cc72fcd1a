/* global process */
// "load + validate + plan 10,000 resources": a manifest tree from fixtures.js, loaded by the real loader, planned
// against the live snapshot and state an apply would have left (so the plan must be all no-ops). Measured in a child
// process so CPU time and peak RSS are the pipeline's alone.
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeManifestTree } from './fixtures.js';

const RESOURCES = 10_000;
const FILES = 100;
const here = path.dirname(fileURLToPath(import.meta.url));

export async function run() {
  const tree = await writeManifestTree({ resources: RESOURCES, files: FILES, accounts: 5 });
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [fileURLToPath(import.meta.url), '--child', tree.dir],
      {
        maxBuffer: 1 << 20,
      },
    );
    const m = JSON.parse(stdout);
    if (m.steps !== RESOURCES || m.changes !== 0) {
      throw new Error(`planned ${m.steps} steps with ${m.changes} changes, expected ${RESOURCES} no-ops`);
    }
    return {
      name: `plan ${RESOURCES} resources (in sync)`,
      results: [
        { metric: 'plan cpu time', value: m.planCpuSeconds, unit: 's', target: 0.5 },
        { metric: 'load + validate + plan cpu time', value: m.totalCpuSeconds, unit: 's', target: 1.0 },
        { metric: 'peak RSS', value: m.peakRssMb, unit: 'MB', target: 300 },
      ],
    };
  } finally {
    await rm(tree.dir, { recursive: true, force: true });
  }
}

async function child(dir) {
  const { loadManifests, nodeManifestFs } = await import('../dist/manifest/load-manifests.js');
  const { resolveSecrets } = await import('../dist/manifest/resolve-secrets.js');
  const { planChanges } = await import('../dist/planner/plan-changes.js');
  const catalog = JSON.parse(await readFile(path.join(here, '../src/contract/permission-groups.json'), 'utf8'));

  const cpu0 = process.cpuUsage();
  const manifests = await loadManifests(dir, { fs: nodeManifestFs, cwd: process.cwd(), now: Date.now() });
  const secrets = await resolveSecrets(manifests, { env: process.env, readFile: (p) => readFile(p) });
  const loadCpu = process.cpuUsage(cpu0);

  const { state, live } = appliedWorld(manifests.resources, secrets, catalog);
  const cpu1 = process.cpuUsage();
  const { plan, errors } = planChanges({
    desired: manifests.resources,
    secrets,
    config: manifests.config,
    state,
    live,
    now: Date.now(),
    manifestsDigest: manifests.digest,
    configDigest: 'bench',
    options: { prune: false, allowMassDelete: false },
  });
  const planCpu = process.cpuUsage(cpu1);
  if (errors.length > 0)
    throw new Error(
      `plan errors: ${errors
        .slice(0, 3)
        .map((e) => e.format())
        .join('; ')}`,
    );
  const seconds = (u) => (u.user + u.system) / 1e6;
  process.stdout.write(
    JSON.stringify({
      steps: plan.steps.length,
      changes: plan.steps.filter((s) => s.action !== 'no-op').length,
      planCpuSeconds: seconds(planCpu),
      totalCpuSeconds: seconds(loadCpu) + seconds(planCpu),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

/** What Cloudflare and the state would hold right after applying `resources` (not timed). */
function appliedWorld(resources, secrets, catalog) {
  const id = (n) => n.toString(16).padStart(32, '0');
  const key = (a) => `${a.kind}/${a.account}/${a.name}`;
  const ids = new Map(resources.map((r, i) => [key(r.address), id(0xb0000000 + i)]));
  const groupId = (sel) =>
    'id' in sel ? sel.id : catalog.find((g) => g.name === sel.name && (!sel.scope || g.scopes.includes(sel.scope)))?.id;
  const live = { accounts: {} };
  const state = { format_version: 1, lineage: 'bench', serial: 1, resources: {}, pending: {} };
  for (const r of resources) {
    const acc = (live.accounts[r.address.account] ??= { tsigs: [], peers: [], tokens: [], permissionGroups: catalog });
    const rid = ids.get(key(r.address));
    const rec = { kind: r.kind, account: r.address.account, name: r.address.name, id: rid, cf_name: r.spec.name };
    if (r.kind === 'SecondaryDnsTsig') {
      acc.tsigs.push({ id: rid, name: r.spec.name, algo: r.spec.algo, secret: secrets.get(key(r.address)) });
    } else if (r.kind === 'SecondaryDnsPeer') {
      const tsigId = r.spec.tsig
        ? ids.get(key({ kind: 'SecondaryDnsTsig', account: r.address.account, name: r.spec.tsig }))
        : r.spec.tsig_id;
      acc.peers.push({
        id: rid,
        name: r.spec.name,
        ip: r.spec.ip,
        port: r.spec.port,
        ixfr_enable: r.spec.ixfr_enable,
        tsig_id: tsigId,
      });
      rec.complete = true;
    } else {
      acc.tokens.push({
        id: rid,
        name: r.spec.name,
        status: r.spec.status ?? 'active',
        policies: r.spec.policies
          .map((p) => ({ ...p, permission_groups: p.permission_groups.map((s) => ({ id: groupId(s) })).reverse() }))
          .reverse(),
        condition: r.spec.condition,
        expires_on: r.spec.expires_on,
      });
      rec.sink = { sink: r.spec.secret?.sink ?? 'local', key: r.spec.secret?.key ?? r.address.name };
      rec.value_status = 'delivered';
    }
    state.resources[key(r.address)] = rec;
  }
  return { state, live };
}

if (process.argv[2] === '--child') await child(process.argv[3]);
