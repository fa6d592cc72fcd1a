/**
 * End to end, as a user runs it: `cfgitops plan|apply` (in-process, real HTTP) against the emulator standing in for
 * Cloudflare, a file state and the default file sink in a temp repository.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { useE2eWorld } from '../../support/e2e-world.js';
import { EXAMPLE_ACCOUNT, liveResources, verifySinkValues } from '../../support/workspace.js';

const world = useE2eWorld();
const { cli } = world;
const applyAll = (...extra: string[]) => cli('apply', '--auto-approve', ...extra);
const planJson = async (...extra: string[]) => {
  const r = await cli('plan', '--format', 'json', ...extra);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as {
    steps: { action: string; address: { name: string }; reason: string }[];
    summary: { hasChanges: boolean };
  };
};
const changes = (plan: Awaited<ReturnType<typeof planJson>>) =>
  plan.steps.filter((s) => s.action !== 'no-op').map((s) => `${s.action} ${s.address.name}`);

describe('GIVEN the example manifests and an empty account', () => {
  test('WHEN planned in every format THEN text, json and markdown render and exit codes follow Terraform', async () => {
    for (const format of ['text', 'json', 'markdown']) {
      const r = await cli('plan', '--format', format, '--detailed-exitcode');
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout.length).toBeGreaterThan(0);
    }
    const bad = await cli('plan', 'no-such-dir');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/E_FILE_READ/);
  });

  test('WHEN applied THEN everything exists once, values verify, and a second plan is empty', async () => {
    const first = await applyAll();
    expect(first.code, first.stderr).toBe(0);

    const live = await liveResources(world.emulator);
    expect(live.tsigs.map((t) => t.name)).toEqual(['tsig.ns1.example.com.']);
    expect(live.peers.map((p) => p.name).sort()).toEqual(['ns1.example.com', 'ns2.example.com']);
    expect(live.tokens).toHaveLength(3);
    const ns1 = live.peers.find((p) => p.name === 'ns1.example.com');
    expect(ns1?.tsig_id).toBe(live.tsigs[0]?.id);
    expect(ns1?.ip).toBe('192.0.2.53');

    const verified = await verifySinkValues(world.emulator, world.ws);
    expect(Object.keys(verified).sort()).toEqual(['CI_DNS_EDIT_TOKEN', 'logs-reader', 'zone-readonly']);

    const state = await world.ws.stateFile();
    // 1 TSIG, 2 peers, 3 tokens and the zone link.
    expect(Object.keys(state.resources)).toHaveLength(7);
    expect(state.pending).toEqual({});
    expect(Object.values(state.resources).every((r) => r.complete !== false)).toBe(true);

    const again = await cli('plan', '--detailed-exitcode');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const second = await applyAll();
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/No changes/);
  });
});

describe('GIVEN an applied example', () => {
  beforeEach(async () => {
    expect((await applyAll()).code).toBe(0);
  });

  test('WHEN a peer ip and a token policy change in the manifests THEN both update in place, the token keeps id and value', async () => {
    const before = await verifySinkValues(world.emulator, world.ws);
    await world.ws.write(
      'desired-state/peers.yaml',
      (await world.ws.read('desired-state/peers.yaml')).replace('192.0.2.53', '192.0.2.99'),
    );
    await world.ws.write(
      'desired-state/tokens.yaml',
      (await world.ws.read('desired-state/tokens.yaml')).replace('        - name: DNS Read\n', ''),
    );
    expect(changes(await planJson()).sort()).toEqual(['update ns1-primary', 'update zone-readonly']);
    const r = await cli('plan', '--detailed-exitcode');
    expect(r.code).toBe(2);

    expect((await applyAll()).code).toBe(0);
    const live = await liveResources(world.emulator);
    expect(live.peers.find((p) => p.name === 'ns1.example.com')?.ip).toBe('192.0.2.99');
    expect(await verifySinkValues(world.emulator, world.ws)).toEqual(before);
    expect(changes(await planJson())).toEqual([]);
  });

  test('WHEN a token is deleted and a peer edited out of band THEN the plan recreates and reverts them', async () => {
    const live = await liveResources(world.emulator);
    const token = live.tokens.find((t) => t.name === 'cfgitops logs reader')!;
    const peer = live.peers.find((p) => p.name === 'ns2.example.com')!;
    expect((await world.emulator.api('DELETE', `/accounts/${EXAMPLE_ACCOUNT}/tokens/${token.id}`)).status).toBe(200);
    const put = await world.emulator.api('PUT', `/accounts/${EXAMPLE_ACCOUNT}/secondary_dns/peers/${peer.id}`, {
      name: 'ns2.example.com',
      ip: '203.0.113.1',
      port: 5353,
    });
    expect(put.status).toBe(200);

    const plan = await planJson();
    expect(changes(plan).sort()).toEqual(['create logs-reader', 'update ns2-primary']);
    expect(plan.steps.find((s) => s.address.name === 'logs-reader')?.reason).toMatch(/out of band/);

    expect((await applyAll()).code).toBe(0);
    const after = await liveResources(world.emulator);
    expect(after.tokens.filter((t) => t.name === 'cfgitops logs reader')).toHaveLength(1);
    expect(after.peers.find((p) => p.id === peer.id)?.ip).toBe('2001:db8::53');
    const verified = await verifySinkValues(world.emulator, world.ws);
    expect(verified['logs-reader']).not.toBe(token.id);
    expect(changes(await planJson())).toEqual([]);
  });

  test('WHEN a resource leaves the manifests THEN it is kept without --prune and deleted with it', async () => {
    await world.ws.write(
      'desired-state/peers.yaml',
      (await world.ws.read('desired-state/peers.yaml')).split('---')[0]!,
    );
    // The example's zone link names the peer: it leaves the link in the same change.
    await unlinkPeer('ns2-primary');
    const noPrune = await cli('plan', '--format', 'json');
    expect(noPrune.code).toBe(0);
    expect(changes(JSON.parse(noPrune.stdout))).toEqual(['update example-com']);
    expect(noPrune.stdout).toMatch(/--prune/);

    expect((await applyAll()).code).toBe(0);
    expect((await liveResources(world.emulator)).peers).toHaveLength(2);

    expect(changes(await planJson('--prune'))).toEqual(['delete ns2-primary']);
    expect((await applyAll('--prune')).code).toBe(0);
    expect((await liveResources(world.emulator)).peers.map((p) => p.name)).toEqual(['ns1.example.com']);
    expect(Object.keys((await world.ws.stateFile()).resources)).toHaveLength(6);
  });

  test('WHEN a prevent-destroy resource leaves the manifests THEN --prune refuses to delete it', async () => {
    // ns1-primary carries cfgitops.dev/prevent-destroy: "true"; dropping it also drops... only itself.
    const peers = await world.ws.read('desired-state/peers.yaml');
    await world.ws.write('desired-state/peers.yaml', '---' + peers.split('---')[1]!);
    await unlinkPeer('ns1-primary');
    const r = await cli('plan', '--prune');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/E_PREVENT_DESTROY/);
    expect((await liveResources(world.emulator)).peers).toHaveLength(2);
  });
});

/** Takes a peer out of the example zone link's peers list. */
async function unlinkPeer(name: string): Promise<void> {
  const links = await world.ws.read('desired-state/zone-links.yaml');
  const without = links.replace(`    - ${name}\n`, '');
  expect(without).not.toBe(links);
  await world.ws.write('desired-state/zone-links.yaml', without);
}

describe('GIVEN an unmanaged live resource with a desired name', () => {
  test('WHEN planned THEN it is adopted, not duplicated, and the adopted token gets a fresh value', async () => {
    const created = await world.emulator.api('POST', `/accounts/${EXAMPLE_ACCOUNT}/tokens`, {
      name: 'cfgitops zone read-only',
      policies: [
        {
          effect: 'allow',
          permission_groups: [{ id: 'c8fed203ed3043cba015a93ad1616f1f' }],
          resources: { [`com.cloudflare.api.account.${EXAMPLE_ACCOUNT}`]: '*' },
        },
      ],
    });
    expect(created.status).toBe(200);
    const adoptedId = (created.body as { result: { id: string } }).result.id;

    const plan = await planJson();
    const step = plan.steps.find((s) => s.address.name === 'zone-readonly');
    expect(step?.action).toBe('adopt');

    expect((await applyAll()).code).toBe(0);
    const live = await liveResources(world.emulator);
    expect(live.tokens.filter((t) => t.name === 'cfgitops zone read-only').map((t) => t.id)).toEqual([adoptedId]);
    const verified = await verifySinkValues(world.emulator, world.ws);
    expect(verified['zone-readonly']).toBe(adoptedId);
    expect(changes(await planJson())).toEqual([]);
  });
});

describe('GIVEN a path that does not exist', () => {
  test('WHEN applied THEN it says so without a made-up position, and hints at a saved plan or a directory', async () => {
    const r = await cli('apply', 'missing-plan.json', '--auto-approve');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/E_FILE_READ/);
    expect(r.stderr).toMatch(/saved plan from `plan --out`, or a manifest directory/);
  });
});
