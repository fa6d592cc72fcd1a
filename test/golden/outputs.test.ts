/**
 * Golden files for every output a user sees on the fixture repository (a frozen copy of the example in
 * fixtures/desired-state, so the example may grow without moving these): plan as text, Markdown and JSON before and
 * after an apply, the apply itself and the API calls it made, drift, state list/show, import, export's files, a
 * prune plan — and the planner's rich scenario (every action) rendered in every format.
 *
 * Taken before resource kinds moved into src/kinds/ (issue 15) and kept byte-identical through that refactor: a
 * difference here is a behaviour change. Emulator-minted ids, times and durations are replaced by placeholders (in
 * order of first appearance) so the files do not depend on scheduling. State serials and export digests are masked too. Update deliberately: `npx vitest run
 * test/golden -u`, then read the diff.
 */
import { cp, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { renderJson } from '../../src/planner/render-json.js';
import { renderMarkdown } from '../../src/planner/render-markdown.js';
import { renderText } from '../../src/planner/render-text.js';
import { useE2eWorld } from '../support/e2e-world.js';
import { EXAMPLE_ACCOUNT } from '../support/workspace.js';
import { richPlan } from '../unit/planner/rich-plan.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/desired-state', import.meta.url));
const CATALOG_IDS = new Set(
  (
    JSON.parse(await readFile(new URL('../../src/contract/permission-groups.json', import.meta.url), 'utf8')) as {
      id: string;
    }[]
  ).map((g) => g.id),
);

/** Stable text: minted ids → <id-N>, ISO times → <time>, durations → <duration>, the workspace path → <ws>. */
function normalizer(ws: () => string): (text: string) => string {
  const ids = new Map<string, string>();
  return (text) =>
    text
      .replaceAll(ws(), '<ws>')
      .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
      .replace(/\b[0-9a-f]{32}\b/g, (id) => {
        if (id === EXAMPLE_ACCOUNT || CATALOG_IDS.has(id)) return id;
        let name = ids.get(id);
        if (name === undefined) ids.set(id, (name = `<id-${ids.size + 1}>`));
        return name;
      })
      .replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z\b/g, '<time>')
      .replace(/\b\d+(\.\d+)? ?(ms|s)\b/g, '<duration>')
      .replace(/"(duration_ms|elapsed_ms)": ?\d+/g, '"$1": 0')
      .replace(/cfat_[A-Za-z0-9_-]+/g, '<token-value>')
      // The number of commits varies with scheduling (concurrent steps), and export digests cover minted ids.
      .replace(/"serial": \d+/g, '"serial": <n>')
      .replace(/serial \d+/g, 'serial <n>')
      .replace(/sha256:[0-9a-f]{64}/g, 'sha256:<digest>');
}

const world = useE2eWorld({ example: false });

describe('golden outputs on the fixture repository', () => {
  test('GIVEN the fixtures WHEN planned, applied, drifted, imported, exported and pruned THEN every output is as recorded', async () => {
    const { cli } = world;
    const norm = normalizer(() => world.ws.dir);
    await cp(FIXTURES, join(world.ws.dir, 'desired-state'), { recursive: true });
    const sections: string[] = [];
    // stderr without the JSON log lines: what a person reads there (errors, warnings, hints).
    const keep = (title: string, r: { code: number; stdout: string; stderr: string }) => {
      const said = r.stderr
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('{'))
        .join('\n');
      sections.push(
        `=== ${title} (exit ${r.code})\n${norm(r.stdout)}${said === '' ? '' : `--- stderr\n${norm(said)}\n`}`,
      );
    };
    const calls = async (title: string) => {
      const r = await world.emulator.control('GET', '/requests');
      const byOp = (r.body as { byOperation: Record<string, Record<string, number>> }).byOperation;
      const lines = Object.keys(byOp)
        .sort()
        .map((op) => `${op} ${JSON.stringify(byOp[op])}`);
      sections.push(`=== API calls so far: ${title}\n${lines.join('\n')}\n`);
    };

    keep('validate', await cli('validate'));
    keep('plan', await cli('plan'));
    keep('plan --format markdown', await cli('plan', '--format', 'markdown'));
    keep('plan --format json', await cli('plan', '--format', 'json'));
    await calls('three plans');
    keep('apply --auto-approve', await cli('apply', '--auto-approve'));
    await calls('after apply');
    keep('plan after apply', await cli('plan', '--format', 'json'));
    keep('state list', await cli('state', 'list'));
    keep('state show peer', await cli('state', 'show', 'SecondaryDnsPeer/main/ns1-primary'));
    keep('state show tsig', await cli('state', 'show', 'SecondaryDnsTsig/main/ns1-transfer'));

    // Out of band: one peer moved, one unmanaged peer and TSIG added.
    const live = (await world.emulator.control('GET', `/resources?account=${EXAMPLE_ACCOUNT}`)).body as {
      accounts: Record<string, { peers: { id: string; name: string }[] }>;
    };
    const ns2 = live.accounts[EXAMPLE_ACCOUNT]!.peers.find((p) => p.name === 'ns2.example.com')!;
    const base = `/accounts/${EXAMPLE_ACCOUNT}/secondary_dns`;
    await world.emulator.api('PUT', `${base}/peers/${ns2.id}`, {
      name: 'ns2.example.com',
      ip: '192.0.2.2',
      port: 5353,
    });
    const extra = await world.emulator.api('POST', `${base}/peers`, { name: 'ns3.example.com' });
    await world.emulator.api('POST', `${base}/tsigs`, {
      name: 'tsig.ns3.example.com.',
      algo: 'hmac-sha512.',
      secret: Buffer.from('golden-unmanaged-tsig-secret-0001').toString('base64'),
    });
    keep('drift', await cli('drift'));
    keep('drift --format json', await cli('drift', '--format', 'json'));
    keep('plan with drift', await cli('plan'));
    keep('plan with drift --format markdown', await cli('plan', '--format', 'markdown'));

    await world.ws.write(
      'desired-state/ns3.yaml',
      'apiVersion: cfgitops.dev/v1\nkind: SecondaryDnsPeer\nmetadata:\n  name: ns3-primary\n  account: main\nspec:\n  name: ns3.example.com\n',
    );
    keep(
      'import peer',
      await cli('import', 'peer', 'ns3-primary', (extra.body as { result: { id: string } }).result.id),
    );
    keep('plan after import', await cli('plan', '--format', 'json'));
    keep('export', await cli('export', '--out', 'desired-state/exported'));
    const exported = join(world.ws.dir, 'desired-state', 'exported');
    for (const file of (await readdir(exported, { recursive: true })).sort()) {
      const text = await readFile(join(exported, file), 'utf8').catch(() => undefined);
      if (text !== undefined) sections.push(`=== exported ${file}\n${norm(text)}`);
    }
    // Its TSIG would need the secret in the environment: what export wrote is checked above, not applied.
    await rm(exported, { recursive: true });
    keep('apply after import', await cli('apply', '--auto-approve'));

    await world.ws.write('desired-state/peers.yaml', '# no peers\n');
    await world.ws.write('desired-state/ns3.yaml', '# no peers\n');
    keep('plan --prune without peers', await cli('plan', '--prune'));
    keep('plan --prune --format json', await cli('plan', '--prune', '--format', 'json'));
    await calls('end');

    await expect(sections.join('\n')).toMatchFileSnapshot('./outputs.golden.txt');
  });

  test('GIVEN the planner rich scenario (every action) WHEN rendered THEN text, colour, Markdown and JSON are as recorded', async () => {
    const { plan, errors } = richPlan();
    const out = [
      `=== text\n${renderText(plan, { errors })}`,
      `=== text (colour)\n${renderText(plan, { color: true })}`,
      `=== markdown\n${renderMarkdown(plan)}`,
      `=== markdown (2000)\n${renderMarkdown(plan, { maxLength: 2000 })}`,
      `=== json\n${renderJson(plan)}`,
    ].join('\n');
    await expect(out).toMatchFileSnapshot('./rich-plan.golden.txt');
  });
});
