/**
 * `cfgitops export` on a hand-made account: what the files say, that the tree plans as adoptions only, that a
 * second export only adds what is new and never rewrites an edited file, and that a user's mistake in an exported
 * file is reported with its position.
 */
import { UNCHECKED_SECRET } from '../../../src/kinds/tsig/compare.js';
import { SENSITIVE } from '../../../src/secret.js';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { useE2eWorld } from '../../support/e2e-world.js';
import { tokenBody } from '../../support/emulator.js';
import {
  configOnly,
  createLiveAccount,
  readTree,
  type ExportReport,
  type LiveAccountSpec,
  type PlanJson,
} from './export-harness.js';
import { callsBetween, requestCounts } from './harness.js';

const world = useE2eWorld({ example: false });
const { cli } = world;

const LOGS_READ_ZONE = 'c4a30cd58c5d42619c86a3c36c441e2d';
const DNS_WRITE = '4755a26eedb94da69e1066d98aa820be';
const ZONE = '023e105f4ecef8ad9ca31a8372d0c353';

function accountSpec(account: string): LiveAccountSpec {
  return {
    tsigs: [
      { name: 'tsig.ns1.example.com.', algo: 'hmac-sha256.', secret: 'c2VjcmV0LW9uZS1mb3ItbnMxLWV4YW1wbGU=' },
      { name: 'unused key', algo: 'hmac-sha512.', secret: 'dW51c2VkLWtleS1zZWNyZXQ=' },
    ],
    peers: [
      { name: 'ns1.example.com', ip: '192.0.2.53', ixfr_enable: true, tsig: 0 },
      { name: 'ns2.example.com', ip: '2001:db8::53', port: 5353 },
      { name: 'bare peer' },
    ],
    tokens: [
      {
        name: 'CI deploy',
        policies: [
          {
            effect: 'allow',
            permission_groups: [{ id: DNS_WRITE }, { id: LOGS_READ_ZONE }],
            resources: { [`com.cloudflare.api.account.${account}`]: { 'com.cloudflare.api.account.zone.*': '*' } },
          },
          {
            effect: 'deny',
            permission_groups: [{ id: DNS_WRITE }],
            resources: { [`com.cloudflare.api.account.zone.${ZONE}`]: '*' },
          },
        ],
        condition: { request_ip: { in: ['198.51.100.0/24'], not_in: ['198.51.100.7/32'] } },
        not_before: '2025-01-01T00:00:00Z',
        expires_on: '2040-01-01T00:00:00Z',
      },
      {
        ...(tokenBody(account, { name: 'ci-deploy' }) as unknown as LiveAccountSpec['tokens'][number]),
        status: 'disabled',
      },
      { ...(tokenBody(account, { name: 'leaked' }) as unknown as LiveAccountSpec['tokens'][number]), revoked: true },
    ],
  };
}

async function exportJson(...args: string[]): Promise<ExportReport> {
  const r = await cli('export', '--format', 'json', ...args);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ExportReport;
}

/** Sets each reported TSIG variable to the secret Cloudflare holds for that TSIG. */
function provideSecrets(report: ExportReport, secrets: Map<string, string>): void {
  for (const s of report.secrets) {
    const tsig = report.exported.find((r) => r.kind === 'SecondaryDnsTsig' && r.name === s.tsig)!;
    world.ws.env[s.fromEnv!] = secrets.get(tsig.id)!;
  }
}

async function planJson(): Promise<PlanJson> {
  const r = await cli('plan', '--format', 'json');
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return JSON.parse(r.stdout) as PlanJson;
}

describe('GIVEN an account made by hand (TSIGs, peers with and without TSIG, tokens incl. disabled and revoked)', () => {
  test('WHEN exported THEN the files name TSIGs by manifest name, groups by name (scope only where ambiguous), keep tokens; the plan adopts only; apply records it; nothing is left to plan or export', async () => {
    const { account } = world.emulator;
    await configOnly(world.ws, account);
    const made = await createLiveAccount(world.emulator, account, accountSpec(account));

    const before = await requestCounts(world.emulator);
    const report = await exportJson();
    // The refresh calls of a plan: one list per kind and the permission-group catalog, never a GET per resource.
    expect(callsBetween(before, await requestCounts(world.emulator))).toEqual({
      'account-api-tokens-list-tokens': 1,
      'account-api-tokens-list-permission-groups': 1,
      'secondary-dns-(-peer)-list-peers': 1,
      'secondary-dns-(-tsig)-list-tsi-gs': 1,
      'secondary-dns-(-acl)-list-ac-ls': 1,
    });
    expect(report.exported).toHaveLength(7);
    expect(report.skipped).toEqual([
      expect.objectContaining({ cf_name: 'leaked', reason: expect.stringContaining('revoked') }),
    ]);
    expect(report.files.map((f) => [f.path, f.action, f.resources])).toEqual([
      ['desired-state/main/tsigs.yaml', 'create', 2],
      ['desired-state/main/peers.yaml', 'create', 3],
      ['desired-state/main/tokens.yaml', 'create', 2],
    ]);
    expect(report.secrets.map((s) => s.fromEnv)).toEqual([
      'TSIG_MAIN_TSIG_NS1_EXAMPLE_COM_SECRET',
      'TSIG_MAIN_UNUSED_KEY_SECRET',
    ]);

    const peers = await world.ws.read('desired-state/main/peers.yaml');
    expect(peers.split('\n')[0]).toBe(
      '# yaml-language-server: $schema=https://cfgitops.dev/schemas/v1/secondary-dns-peer.schema.json',
    );
    expect(peers).toContain('  tsig: tsig.ns1.example.com\n');
    expect(peers).toContain('  name: bare-peer\n');
    const tokens = await world.ws.read('desired-state/main/tokens.yaml');
    // "CI deploy" and "ci-deploy" slug alike: the second one gets the start of its id.
    expect(tokens).toContain('  name: ci-deploy\n');
    expect(tokens).toMatch(new RegExp(`  name: ci-deploy-${made.tokenIds[1]!.slice(0, 8)}\\n`));
    expect(tokens).toContain('        - name: Logs Read\n          scope: zone\n');
    expect(tokens).toContain('        - name: DNS Write\n      resources:');
    expect(tokens).toContain('    cfgitops.dev/on-adopt: keep\n');
    expect(tokens).toContain('  status: disabled\n');
    expect(tokens).not.toContain('leaked');
    const tsigs = await world.ws.read('desired-state/main/tsigs.yaml');
    for (const secret of made.tsigSecrets.values()) expect(tsigs).not.toContain(secret);

    expect((await cli('validate')).code).toBe(0);
    provideSecrets(report, made.tsigSecrets);
    const plan = await planJson();
    expect(plan.steps.map((s) => s.action)).toEqual(Array(7).fill('adopt'));
    // A TSIG's reference is new (nothing applied it yet): plan does not read its secret, shows it as checked at
    // apply, and the apply records the reference (docs/security.md, rule 3). Nothing else differs.
    const tsigSteps = plan.steps.filter((s) => s.address.kind === 'SecondaryDnsTsig');
    expect(tsigSteps.length).toBeGreaterThan(0);
    expect(plan.steps.filter((s) => s.address.kind !== 'SecondaryDnsTsig').flatMap((s) => s.diff)).toEqual([]);
    for (const s of tsigSteps)
      expect(s.diff).toEqual([{ path: '/secret', before: SENSITIVE, after: UNCHECKED_SECRET }]);
    expect(plan.steps.filter((s) => s.rollValue)).toEqual([]);

    const applied = await cli('apply', '--auto-approve');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect((await cli('plan', '--detailed-exitcode')).code).toBe(0);
    const again = await exportJson();
    expect(again.exported).toEqual([]);
    expect(again.managed).toBe(7);
  });

  test('WHEN exported twice into fresh trees THEN the files are byte-identical', async () => {
    const { account } = world.emulator;
    await configOnly(world.ws, account, 'a');
    await configOnly(world.ws, account, 'b');
    await createLiveAccount(world.emulator, account, accountSpec(account));
    await exportJson('a');
    await exportJson('b');
    const [a, b] = [await readTree(join(world.ws.dir, 'a')), await readTree(join(world.ws.dir, 'b'))];
    expect(Object.keys(a).sort()).toEqual(['cfgitops.yaml', 'main/peers.yaml', 'main/tokens.yaml', 'main/tsigs.yaml']);
    expect(b).toEqual(a);
  });

  test('WHEN exported again after new tokens appear THEN an untouched file gets them appended; an edited one is left alone and they go beside it', async () => {
    const { account } = world.emulator;
    await configOnly(world.ws, account);
    const post = (name: string) =>
      world.emulator.api('POST', `/accounts/${account}/tokens`, tokenBody(account, { name }));
    await post('first');
    await exportJson('--kind', 'token');
    await post('second');
    const appended = await exportJson('--kind', 'token');
    expect(appended.files).toEqual([
      expect.objectContaining({ path: 'desired-state/main/tokens.yaml', action: 'append', resources: 1 }),
    ]);
    const file = join(world.ws.dir, 'desired-state/main/tokens.yaml');
    const text = await readFile(file, 'utf8');
    expect(text.match(/^kind: AccountToken$/gm)).toHaveLength(2);

    const edited = text.replace('  name: second\n', '  name: second # ours now\n');
    await writeFile(file, edited);
    await post('third');
    const r = await cli('export', '--kind', 'token');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'wrote desired-state/main/tokens.2.yaml (1 AccountToken): desired-state/main/tokens.yaml was edited, so export left it alone',
    );
    expect(await readFile(file, 'utf8')).toBe(edited);
    expect(await world.ws.read('desired-state/main/tokens.2.yaml')).toContain('  name: third\n');
    expect((await cli('validate')).code).toBe(0);
  });

  test('WHEN a user breaks an exported file THEN validate names the file, line and field', async () => {
    const { account } = world.emulator;
    await configOnly(world.ws, account);
    await world.emulator.api('POST', `/accounts/${account}/tokens`, tokenBody(account, { name: 'ci' }));
    await exportJson();
    const file = 'desired-state/main/tokens.yaml';
    const text = await world.ws.read(file);
    await world.ws.write(file, text.replace('- effect: allow', '- effect: alow'));
    const line = text.split('\n').findIndex((l) => l.includes('effect: allow')) + 1;
    const r = await cli('validate', '--format', 'json');
    expect(r.code).toBe(1);
    const { errors } = JSON.parse(r.stdout) as {
      errors: { code: string; location?: { file: string; line: number; pointer?: string } }[];
    };
    expect(errors).toContainEqual(
      expect.objectContaining({
        code: 'E_SCHEMA',
        location: expect.objectContaining({ file, line, pointer: '/spec/policies/0/effect' }),
      }),
    );
  });

  test('WHEN peers are exported without their TSIGs THEN they refer to them by id, and --out outside DIR is refused', async () => {
    const { account } = world.emulator;
    await configOnly(world.ws, account);
    await createLiveAccount(world.emulator, account, {
      tsigs: accountSpec(account).tsigs,
      peers: accountSpec(account).peers,
      tokens: [],
    });
    const report = await exportJson('--kind', 'peer', '--out', 'desired-state/imported');
    expect(report.files.map((f) => f.path)).toEqual(['desired-state/imported/main/peers.yaml']);
    expect(await world.ws.read('desired-state/imported/main/peers.yaml')).toMatch(/\n {2}tsig_id: [0-9a-f]{32}\n/);
    const outside = await cli('export', '--out', 'elsewhere');
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain('E_USAGE');
  });

  test('WHEN a live token holds what no manifest can say THEN export leaves it out with the loader error, and writes a tree that validates', async () => {
    const { account } = world.emulator;
    await configOnly(world.ws, account);
    // Cloudflare takes any resource key; the manifest schema knows account, zone and user keys only.
    const r2 = tokenBody(account, { name: 'r2 bucket' }) as { policies: { resources: unknown }[] };
    r2.policies[0]!.resources = { 'com.cloudflare.edge.r2.bucket.abc_default_media': '*' };
    for (const body of [r2, tokenBody(account, { name: 'fine' })]) {
      expect((await world.emulator.api('POST', `/accounts/${account}/tokens`, body)).status).toBe(200);
    }
    const report = await exportJson();
    expect(report.exported.map((r) => r.cf_name)).toEqual(['fine']);
    expect(report.skipped).toEqual([
      expect.objectContaining({
        cf_name: 'r2 bucket',
        reason: expect.stringContaining('its manifest would not load'),
        error: expect.objectContaining({ code: 'E_SCHEMA' }),
      }),
    ]);
    expect((await cli('validate')).code).toBe(0);
  });

  test('WHEN two unmanaged tokens share a name THEN neither is exported, and export says why', async () => {
    const { account } = world.emulator;
    await configOnly(world.ws, account);
    for (const name of ['twin', 'twin', 'single']) {
      await world.emulator.api('POST', `/accounts/${account}/tokens`, tokenBody(account, { name }));
    }
    const report = await exportJson();
    expect(report.exported.map((r) => r.cf_name)).toEqual(['single']);
    expect(report.skipped.map((s) => [s.cf_name, s.reason])).toEqual([
      ['twin', expect.stringContaining('2 unmanaged tokens share this name')],
      ['twin', expect.stringContaining('2 unmanaged tokens share this name')],
    ]);
  });
});
