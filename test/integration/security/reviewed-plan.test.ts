/**
 * Reviewed plan = applied plan (docs/security.md): the merge job applies a plan file that a pull request's job made,
 * and that job runs the pull request's workflow and dependencies, so the file is attacker-influenced. `apply PLAN`
 * refuses it (E_PLAN_STALE, nothing sent) when its steps are not what the manifests give now — an edited step with
 * every digest and serial left intact, or live Cloudflare changed since — and when the config changed; and applies it
 * when nothing moved.
 */
import { describe, expect, test } from 'vitest';
import { useE2eWorld } from '../../support/e2e-world.js';
import { EXAMPLE_ACCOUNT, liveResources } from '../../support/workspace.js';

const world = useE2eWorld();
const { cli } = world;

interface SavedStep {
  action: string;
  address: { kind: string; name: string };
  body?: Record<string, unknown>;
}

async function savePlan(file: string): Promise<void> {
  const saved = await cli('plan', '--out', file);
  expect(saved.code, saved.stderr).toBe(0);
}

async function editPlan(file: string, edit: (steps: SavedStep[]) => void): Promise<void> {
  const doc = JSON.parse(await world.ws.read(file)) as { steps: SavedStep[] };
  edit(doc.steps);
  await world.ws.write(file, JSON.stringify(doc, null, 2));
}

describe('GIVEN a plan saved on a pull request', () => {
  test('WHEN a step was edited (the peer pointed at another primary), digests and serial intact THEN apply refuses it and sends nothing', async () => {
    await savePlan('reviewed.plan');
    await editPlan('reviewed.plan', (steps) => {
      const peer = steps.find((s) => s.address.kind === 'SecondaryDnsPeer' && s.address.name === 'ns1-primary');
      expect(peer?.body?.['ip']).toBe('192.0.2.53');
      peer!.body!['ip'] = '203.0.113.66';
    });
    const refused = await cli('apply', 'reviewed.plan');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/E_PLAN_STALE.*a plan of the same manifests made now has other steps/);
    expect(await liveResources(world.emulator)).toEqual({ tokens: [], peers: [], tsigs: [] });

    // The untouched file applies.
    await savePlan('honest.plan');
    const applied = await cli('apply', 'honest.plan');
    expect(applied.code, applied.stderr).toBe(0);
    expect((await liveResources(world.emulator)).peers.map((p) => p.ip).sort()).toEqual(['192.0.2.53', '2001:db8::53']);
  });

  test('WHEN a token step gained a permission group THEN apply refuses it', async () => {
    await savePlan('reviewed.plan');
    await editPlan('reviewed.plan', (steps) => {
      const token = steps.find((s) => s.address.kind === 'AccountToken' && s.address.name === 'zone-readonly');
      const body = token?.body?.['body'] as { policies: { permission_groups: { id: string }[] }[] } | undefined;
      const policies = body?.policies;
      expect(policies?.[0]?.permission_groups.length).toBeGreaterThan(0);
      // Account API Tokens Write: a token that can mint tokens.
      policies![0]!.permission_groups.push({ id: '5bc3f8b21c554832afc660159ab75fa4' });
    });
    const refused = await cli('apply', 'reviewed.plan');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/E_PLAN_STALE/);
    expect((await liveResources(world.emulator)).tokens).toEqual([]);
  });

  test('WHEN live Cloudflare changed after the plan (a peer edited out of band) THEN the plan is stale', async () => {
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    await world.ws.write(
      'desired-state/peers.yaml',
      (await world.ws.read('desired-state/peers.yaml')).replace('port: 53', 'port: 5353'),
    );
    await savePlan('reviewed.plan');
    const peer = (await liveResources(world.emulator)).peers.find((p) => p.name === 'ns2.example.com')!;
    await world.emulator.api('PUT', `/accounts/${EXAMPLE_ACCOUNT}/secondary_dns/peers/${peer.id}`, {
      name: 'ns2.example.com',
      ip: '203.0.113.1',
      port: 53,
    });
    const refused = await cli('apply', 'reviewed.plan');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/E_PLAN_STALE/);
    const after = await liveResources(world.emulator);
    expect(after.peers.find((p) => p.name === 'ns2.example.com')?.ip).toBe('203.0.113.1');
  });

  test('WHEN the Config changed after the plan THEN apply refuses it naming the configuration', async () => {
    await savePlan('reviewed.plan');
    await world.ws.write(
      'desired-state/cfgitops.yaml',
      (await world.ws.read('desired-state/cfgitops.yaml')).replace('maxShare: 0.3', 'maxShare: 0.5'),
    );
    const refused = await cli('apply', 'reviewed.plan');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/E_PLAN_STALE.*the configuration changed/);
    expect((await liveResources(world.emulator)).tokens).toEqual([]);
  });
});
