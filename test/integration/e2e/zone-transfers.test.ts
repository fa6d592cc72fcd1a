/**
 * Issue 15, Done when: a repository with 2 TSIGs, 3 peers, 2 ACLs and 3 zones (two secondary, one primary) applies
 * on the emulator, replans empty, survives crash trials (the built CLI SIGKILLed after the n-th API answer, the
 * last ones being the zone-link steps: 0 duplicates, converged), and refuses the dangerous delete — a peer a zone
 * still uses — naming the zone. force-axfr / force-notify, drift and prune of a link are covered too.
 */
import { describe, expect, test } from 'vitest';
import { runCli, spawnCli } from '../../support/cli.js';
import { useE2eWorld } from '../../support/e2e-world.js';
import { EXAMPLE_ACCOUNT } from '../../support/workspace.js';

let answered = 0;
let waiters: { n: number; resolve: () => void }[] = [];
/** Called with each answer's operation as it is sent (a test kills the CLI from here, before it reads the answer). */
let onOperation: ((operationId: string | undefined) => void) | undefined;
const world = useE2eWorld({
  example: false,
  emulator: {
    latencyMs: 5,
    onResponse: (r) => {
      answered++;
      waiters = waiters.filter((w) => (w.n <= answered ? (w.resolve(), false) : true));
      onOperation?.(r.operationId);
    },
  },
  setup: () => setUp(),
});

const ZONES = {
  'example.com': { id: 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1', type: 'secondary' },
  'example.net': { id: 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2', type: 'secondary' },
  'example.org': { id: 'c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3', type: 'primary' },
} as const;

const CONFIG = `apiVersion: cfgitops.dev/v1
kind: Config
spec:
  accounts:
    main: ${EXAMPLE_ACCOUNT}
  zones:
${Object.entries(ZONES)
  .map(([name, z]) => `    ${name}: ${z.id}`)
  .join('\n')}
  secrets:
    default: local
    sinks:
      local: { type: file, path: .cfgitops/secrets.json, format: json }
  api:
    concurrency: 4
    rateLimit: { requests: 1200, windowSeconds: 300 }
`;

const doc = (kind: string, name: string, spec: string): string =>
  `apiVersion: cfgitops.dev/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n  account: main\nspec:\n${spec}`;

const TSIGS = [
  doc('SecondaryDnsTsig', 'tsig-a', '  name: tsig-a.example.\n  algo: hmac-sha256.\n  secret:\n    fromEnv: TSIG_A\n'),
  doc('SecondaryDnsTsig', 'tsig-b', '  name: tsig-b.example.\n  algo: hmac-sha512.\n  secret:\n    fromEnv: TSIG_B\n'),
].join('---\n');
const PEERS = [
  doc('SecondaryDnsPeer', 'ns1', '  name: ns1.example.\n  ip: 192.0.2.1\n  tsig: tsig-a\n'),
  doc('SecondaryDnsPeer', 'ns2', '  name: ns2.example.\n  ip: 192.0.2.2\n  tsig: tsig-b\n'),
  doc('SecondaryDnsPeer', 'ns3', '  name: ns3.example.\n  ip: 2001:db8::3\n  port: 5353\n'),
].join('---\n');
const ACLS = [
  doc('SecondaryDnsAcl', 'office', '  name: office\n  ip_range: 198.51.100.0/24\n'),
  doc('SecondaryDnsAcl', 'dc', '  name: dc\n  ip_range: 2001:db8:100::/64\n'),
].join('---\n');
const LINKS = [
  doc('SecondaryDnsIncoming', 'example-com', '  zone: example.com\n  peers: [ns1, ns2]\n'),
  doc(
    'SecondaryDnsIncoming',
    'example-net',
    '  zone: example.net\n  peers: [ns2, ns3]\n  auto_refresh_seconds: 3600\n',
  ),
  doc('SecondaryDnsOutgoing', 'example-org', '  zone: example.org\n  peers: [ns3]\n  enabled: true\n'),
].join('---\n');

async function setUp(): Promise<void> {
  answered = 0;
  for (const [name, z] of Object.entries(ZONES)) {
    const r = await world.emulator.control('POST', '/zones', { account: EXAMPLE_ACCOUNT, name, ...z });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  world.ws.env['TSIG_A'] = Buffer.from('zone-transfer-e2e-secret-a-0123456789').toString('base64');
  world.ws.env['TSIG_B'] = Buffer.from('zone-transfer-e2e-secret-b-0123456789').toString('base64');
  await world.ws.write('desired-state/cfgitops.yaml', CONFIG);
  await world.ws.write('desired-state/tsigs.yaml', TSIGS);
  await world.ws.write('desired-state/peers.yaml', PEERS);
  await world.ws.write('desired-state/acls.yaml', ACLS);
  await world.ws.write('desired-state/links.yaml', LINKS);
}

interface Live {
  peers: { id: string; name: string }[];
  tsigs: { id: string; name: string }[];
  acls: { id: string; name: string }[];
  zones: {
    id: string;
    name: string;
    incoming?: { peers: string[] };
    outgoing?: { peers: string[]; enabled?: boolean };
  }[];
}

async function live(): Promise<Live> {
  const r = await world.emulator.control('GET', `/resources?account=${EXAMPLE_ACCOUNT}`);
  const acc = (r.body as { accounts: Record<string, Live> }).accounts[EXAMPLE_ACCOUNT]!;
  return acc;
}

/** Exactly what the manifests say, each thing once. */
async function expectConverged(): Promise<void> {
  const l = await live();
  expect(l.tsigs.map((t) => t.name).sort()).toEqual(['tsig-a.example.', 'tsig-b.example.']);
  expect(l.peers.map((p) => p.name).sort()).toEqual(['ns1.example.', 'ns2.example.', 'ns3.example.']);
  expect(l.acls.map((a) => a.name).sort()).toEqual(['dc', 'office']);
  const peer = (n: string) => l.peers.find((p) => p.name === `${n}.example.`)!.id;
  const zone = (n: keyof typeof ZONES) => l.zones.find((z) => z.id === ZONES[n].id)!;
  expect(zone('example.com').incoming?.peers.sort()).toEqual([peer('ns1'), peer('ns2')].sort());
  expect(zone('example.net').incoming?.peers.sort()).toEqual([peer('ns2'), peer('ns3')].sort());
  expect(zone('example.org').outgoing).toMatchObject({ peers: [peer('ns3')], enabled: true });
  expect(zone('example.org').incoming).toBeUndefined();
  const state = await world.ws.stateFile();
  expect(Object.keys(state.pending)).toEqual([]);
  const again = await world.cli('plan', '--detailed-exitcode');
  expect(again.code, again.stdout + again.stderr).toBe(0);
}

describe('zone transfer links', () => {
  test('GIVEN 2 TSIGs, 3 peers, 2 ACLs, 3 zones WHEN applied THEN live is as declared, a replan is empty, and transfers can be forced', async () => {
    const plan = await world.cli('plan');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('+ create SecondaryDnsIncoming/main/example-com');
    expect(plan.stdout).toContain('(known after apply) ns1');
    const applied = await world.cli('apply', '--auto-approve');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    await expectConverged();

    const axfr = await world.cli('zone', 'force-axfr', 'example.com');
    expect(axfr.code, axfr.stderr).toBe(0);
    expect(axfr.stdout).toMatch(/^force-axfr example\.com \(a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1\) in .*: OK$/m);
    const notify = await world.cli('zone', 'force-notify', 'example.org');
    expect(notify.code, notify.stderr).toBe(0);
    const unknown = await world.cli('zone', 'force-axfr', 'nowhere.example');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('E_UNKNOWN_ZONE');
  });

  test('GIVEN a zone cfgitops does not manage using a peer WHEN the peer is removed THEN the plan refuses, naming the zone; once unlinked, it goes', async () => {
    expect((await world.cli('apply', '--auto-approve')).code).toBe(0);
    // A fourth zone, linked by hand in the dashboard to ns1: cfgitops reads it because the Config names it.
    const edu = 'd4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4';
    await world.emulator.control('POST', '/zones', {
      account: EXAMPLE_ACCOUNT,
      name: 'example.edu',
      type: 'secondary',
      id: edu,
    });
    await world.ws.write(
      'desired-state/cfgitops.yaml',
      CONFIG.replace('  secrets:', `    example.edu: ${edu}\n  secrets:`),
    );
    const ns1 = (await live()).peers.find((p) => p.name === 'ns1.example.')!.id;
    const byHand = await world.emulator.api('POST', `/zones/${edu}/secondary_dns/incoming`, {
      name: 'example.edu.',
      peers: [ns1],
      auto_refresh_seconds: 86400,
    });
    expect(byHand.status, JSON.stringify(byHand.body)).toBe(200);

    // ns1 leaves the manifests and the managed link; the hand-made link still uses it.
    await world.ws.write('desired-state/peers.yaml', PEERS.split('---\n').slice(1).join('---\n'));
    await world.ws.write('desired-state/links.yaml', LINKS.replace('peers: [ns1, ns2]', 'peers: [ns2]'));
    const refused = await world.cli('plan', '--prune');
    expect(refused.code, refused.stdout).toBe(1);
    expect(refused.stderr).toMatch(
      /error\[E_ZONE_LINK_IN_USE\]: SecondaryDnsPeer\/main\/ns1 \(peer [0-9a-f]{32}\) cannot be deleted: zone example\.edu \(d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4, SecondaryDnsIncoming\) still uses it/,
    );
    expect(refused.stderr).toContain("remove the peer from that zone's peers");
    const apply = await world.cli('apply', '--auto-approve', '--prune');
    expect(apply.code).toBe(1);
    expect((await live()).peers).toHaveLength(3);

    // Unlinked by hand: now the managed link's update runs first, then the peer's delete.
    await world.emulator.api('DELETE', `/zones/${edu}/secondary_dns/incoming`);
    const ok = await world.cli('apply', '--auto-approve', '--prune');
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const l = await live();
    expect(l.peers.map((p) => p.name).sort()).toEqual(['ns2.example.', 'ns3.example.']);
    expect(l.zones.find((z) => z.id === ZONES['example.com'].id)?.incoming?.peers).toHaveLength(1);
  });

  test('GIVEN links the zones cannot take (incoming on a primary zone, outgoing on a secondary one) WHEN planned THEN the plan refuses both, naming file, line and zone; nothing is applied', async () => {
    const swapped = LINKS.replace('  zone: example.com\n', '  zone: example.org\n').replace(
      '  zone: example.org\n  peers: [ns3]',
      '  zone: example.com\n  peers: [ns3]',
    );
    await world.ws.write('desired-state/links.yaml', swapped);
    const plan = await world.cli('plan', '--format', 'json');
    expect(plan.code, plan.stderr).toBe(1);
    const errors = (JSON.parse(plan.stdout) as { errors: { code: string; message: string; location?: unknown }[] })
      .errors;
    expect(errors.map((e) => e.code)).toEqual(['E_ZONE_TYPE', 'E_ZONE_TYPE']);
    expect(errors.map((e) => e.message).sort()).toEqual([
      'zone example.com is a secondary zone: Cloudflare transfers it in from its primaries and cannot also serve it as primary',
      'zone example.org is a full zone: Cloudflare can transfer in (be the secondary of) only a zone of type secondary',
    ]);
    // The incoming link's `zone:` is line 7 of the file, the outgoing one's line 26.
    expect(errors.map((e) => e.location)).toEqual(
      expect.arrayContaining([
        { file: 'desired-state/links.yaml', line: 7, col: 9, pointer: '/spec/zone' },
        { file: 'desired-state/links.yaml', line: 26, col: 9, pointer: '/spec/zone' },
      ]),
    );
    const text = await world.cli('plan');
    expect(text.stderr).toMatch(
      /error\[E_ZONE_TYPE\]: desired-state\/links\.yaml:\d+:\d+ .*zone example\.org is a full zone/,
    );
    const apply = await world.cli('apply', '--auto-approve');
    expect(apply.code).toBe(1);
    const l = await live();
    expect(l.peers).toHaveLength(0);
    expect(l.zones.every((z) => z.incoming === undefined && z.outgoing === undefined)).toBe(true);
  });

  test('GIVEN an applied outgoing link WHEN shown from state THEN its live transfer status is shown beside the record', async () => {
    expect((await world.cli('apply', '--auto-approve')).code).toBe(0);
    const shown = await world.cli('state', 'show', 'SecondaryDnsOutgoing/main/example-org');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^ {2}transfer_status \(live\): Enabled$/m);
    const json = await world.cli('state', 'show', 'SecondaryDnsOutgoing/main/example-org', '--format', 'json');
    expect((JSON.parse(json.stdout) as { live?: unknown }).live).toEqual({ transfer_status: 'Enabled' });
    // An incoming link has nothing live to add: state alone describes it, and no API call is made for it.
    const incoming = await world.cli('state', 'show', 'SecondaryDnsIncoming/main/example-com');
    expect(incoming.code, incoming.stderr).toBe(0);
    expect(incoming.stdout).not.toContain('(live)');
  });

  test('GIVEN an applied link WHEN changed out of band THEN drift shows it; removed from the manifests with --prune THEN it is unlinked', async () => {
    expect((await world.cli('apply', '--auto-approve')).code).toBe(0);
    const r = await world.emulator.api('POST', `/zones/${ZONES['example.org'].id}/secondary_dns/outgoing/disable`, {});
    expect(r.status).toBe(200);
    const drift = await world.cli('drift');
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain('SecondaryDnsOutgoing/main/example-org');
    expect(drift.stdout).toContain('~ /enabled: false → true');
    expect(drift.stdout).toMatch(
      /^Outgoing zone transfers:\n {2}example\.org \(c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3\): Disabled, SOA serial \d+/m,
    );
    const json = JSON.parse((await world.cli('drift', '--format', 'json')).stdout) as { transfers: unknown[] };
    expect(json.transfers).toEqual([expect.objectContaining({ zone_id: ZONES['example.org'].id, status: 'Disabled' })]);
    expect((await world.cli('apply', '--auto-approve')).code).toBe(0);
    await expectConverged();

    await world.ws.write('desired-state/links.yaml', LINKS.split('---\n').slice(0, 2).join('---\n'));
    const pruned = await world.cli('apply', '--auto-approve', '--prune');
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toContain('delete SecondaryDnsOutgoing/main/example-org');
    expect((await live()).zones.find((z) => z.id === ZONES['example.org'].id)?.outgoing).toBeUndefined();
  });

  test('GIVEN apply killed after the n-th API answer (n across the whole run, zone-link steps last) WHEN applied again THEN converged, nothing twice', async () => {
    const full = spawnCli(['apply', '--auto-approve'], { cwd: world.ws.dir, env: world.ws.env });
    expect((await full.exited).code, full.stderr()).toBe(0);
    const span = answered;
    expect(span).toBeGreaterThan(15);
    // Kill points: spread over the run and every one of the last six answers (the links' POSTs and enable).
    const points = [
      ...new Set([2, Math.floor(span / 3), Math.floor(span / 2), ...[6, 5, 4, 3, 2, 1].map((k) => span - k)]),
    ];
    for (const n of points) {
      await world.emulator.control('POST', '/reset');
      await setUp();
      await world.ws.write('.cfgitops/state.json', '');
      const { rm } = await import('node:fs/promises');
      await rm(`${world.ws.dir}/.cfgitops`, { recursive: true, force: true });
      const run = spawnCli(['apply', '--auto-approve'], { cwd: world.ws.dir, env: world.ws.env });
      await Promise.race([new Promise<void>((resolve) => waiters.push({ n, resolve })), run.exited]);
      run.child.kill('SIGKILL');
      await run.exited;
      world.outputs.push(run.stdout(), run.stderr());
      const again = await runCli(['apply', '--auto-approve'], { cwd: world.ws.dir, env: world.ws.env });
      world.outputs.push(again.stdout, again.stderr);
      expect(again.code, `after a kill at answer ${n}: ${again.stdout}${again.stderr}`).toBe(0);
      await expectConverged();
    }
  });

  test('GIVEN apply killed as its incoming link POST is answered, and the link then removed from the manifests WHEN applied THEN the link the dead run created is deleted, not left unmanaged', async () => {
    // Only example.com's incoming link is declared, so its POST is the only one.
    await world.ws.write('desired-state/links.yaml', LINKS.split('---\n')[0]!);
    const run = spawnCli(['apply', '--auto-approve'], { cwd: world.ws.dir, env: world.ws.env });
    onOperation = (op) => {
      if (op === 'secondary-dns-(-secondary-zone)-create-secondary-zone-configuration') run.child.kill('SIGKILL');
    };
    try {
      expect((await run.exited).signal).toBe('SIGKILL');
    } finally {
      onOperation = undefined;
    }
    const zone = ZONES['example.com'].id;
    expect((await live()).zones.find((z) => z.id === zone)?.incoming).toBeDefined();
    const state = await world.ws.stateFile();
    // The run died before it could record the link: its intent names the zone.
    expect(Object.values(state.pending)).toEqual([
      expect.objectContaining({ op: 'create', kind: 'SecondaryDnsIncoming', zone_id: zone }),
    ]);
    expect(Object.keys(state.resources).some((k) => k.startsWith('SecondaryDnsIncoming/'))).toBe(false);

    await world.ws.write('desired-state/links.yaml', '# example.com is no longer linked\n');
    const plan = await world.cli('plan');
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/delete SecondaryDnsIncoming\/main\/example-com/);
    expect(plan.stdout).toContain('created by an interrupted run');
    const applied = await world.cli('apply', '--auto-approve');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect((await live()).zones.find((z) => z.id === zone)?.incoming).toBeUndefined();
    expect((await world.ws.stateFile()).pending).toEqual({});
    expect((await world.cli('plan', '--detailed-exitcode')).code).toBe(0);
  });
});
