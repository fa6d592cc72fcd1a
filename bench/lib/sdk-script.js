/* global console */
// The baseline P5 compares cfgitops with: the script a competent engineer would write with Cloudflare's official
// TypeScript SDK (`cloudflare` on npm) to create the same resources — a promise pool of 10, the SDK's own retries
// (it waits out retry-after on 429), token values saved to a file. Run as its own process, like the CLI:
//   node bench/lib/sdk-script.js apply|refresh SPEC.json OUT.json
// SPEC is what bench/lib/p5-fixture.js wrote; apply writes ids and token values to OUT, refresh reads them back with
// one GET per resource (what a script must do to see drift). CLOUDFLARE_API_TOKEN and CLOUDFLARE_BASE_URL point the
// SDK at the emulator.
import { readFile, writeFile } from 'node:fs/promises';
import process from 'node:process';
import Cloudflare from 'cloudflare';

const [mode, specFile, outFile] = process.argv.slice(2);
const spec = JSON.parse(await readFile(specFile, 'utf8'));
const cf = new Cloudflare({ apiToken: process.env.CLOUDFLARE_API_TOKEN, baseURL: process.env.CLOUDFLARE_BASE_URL });
const account_id = spec.account;
const CONCURRENCY = 10;

async function pool(jobs) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < jobs.length) await jobs[next++]();
    }),
  );
}

if (mode === 'apply') {
  const groups = new Map();
  for await (const g of cf.accounts.tokens.permissionGroups.list({ account_id })) groups.set(g.name, g.id);
  const out = { tokens: {}, tsigs: {}, peers: {} };
  await pool([
    ...spec.tokens.map((t) => async () => {
      const created = await cf.accounts.tokens.create({
        account_id,
        name: t.name,
        policies: t.policies.map((p) => ({
          effect: p.effect,
          resources: p.resources,
          permission_groups: p.permissionGroups.map((name) => ({ id: groups.get(name) })),
        })),
      });
      out.tokens[t.name] = { id: created.id, value: created.value };
    }),
    ...spec.tsigs.map((t) => async () => {
      const created = await cf.dns.zoneTransfers.tsigs.create({
        account_id,
        name: t.name,
        algo: t.algo,
        secret: t.secret,
      });
      out.tsigs[t.name] = { id: created.id };
    }),
    ...spec.peers.map((p) => async () => {
      // The API takes only a name on create; the rest is a PUT.
      const created = await cf.dns.zoneTransfers.peers.create({ account_id, name: p.name });
      await cf.dns.zoneTransfers.peers.update(created.id, {
        account_id,
        name: p.name,
        ip: p.ip,
        port: p.port,
        ixfr_enable: p.ixfr_enable,
      });
      out.peers[p.name] = { id: created.id };
    }),
  ]);
  await writeFile(outFile, JSON.stringify(out), { mode: 0o600 });
} else if (mode === 'refresh') {
  const ids = JSON.parse(await readFile(outFile, 'utf8'));
  await pool([
    ...Object.values(ids.tokens).map(
      ({ id }) =>
        () =>
          cf.accounts.tokens.get(id, { account_id }),
    ),
    ...Object.values(ids.tsigs).map(
      ({ id }) =>
        () =>
          cf.dns.zoneTransfers.tsigs.get(id, { account_id }),
    ),
    ...Object.values(ids.peers).map(
      ({ id }) =>
        () =>
          cf.dns.zoneTransfers.peers.get(id, { account_id }),
    ),
  ]);
} else {
  console.error('usage: sdk-script.js apply|refresh SPEC.json OUT.json');
  process.exitCode = 2;
}
