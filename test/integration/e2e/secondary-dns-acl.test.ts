/**
 * Issue 15, SecondaryDnsAcl end to end on the emulator through the CLI: two ACLs apply and replan empty; a range
 * wider than Cloudflare allows is refused at load time, at its line; the `policy.aclAllowedCidrs` guardrail;
 * drift, import, export and prune cover the kind because they iterate the registry.
 */
import { describe, expect, test } from 'vitest';
import { useE2eWorld } from '../../support/e2e-world.js';
import { EXAMPLE_ACCOUNT } from '../../support/workspace.js';

const world = useE2eWorld();
const { cli } = world;

const ACLS = `apiVersion: cfgitops.dev/v1
kind: SecondaryDnsAcl
metadata:
  name: office
  account: main
spec:
  name: office-v4
  ip_range: 192.0.2.0/24
---
apiVersion: cfgitops.dev/v1
kind: SecondaryDnsAcl
metadata:
  name: dc-v6
  account: main
spec:
  name: dc-v6
  ip_range: 2001:db8:1::/64
`;

async function liveAcls(): Promise<{ id: string; name: string; ip_range: string }[]> {
  const res = await world.emulator.control('GET', `/resources?account=${EXAMPLE_ACCOUNT}`);
  return (
    (res.body as { accounts: Record<string, { acls: { id: string; name: string; ip_range: string }[] }> }).accounts[
      EXAMPLE_ACCOUNT
    ]?.acls ?? []
  );
}

describe('SecondaryDnsAcl', () => {
  test('GIVEN two ACLs WHEN applied THEN both exist, a replan is empty, and an out-of-band change is drift', async () => {
    await world.ws.write('desired-state/acls.yaml', ACLS);
    const plan = await cli('plan');
    expect(plan.stdout).toContain('+ create SecondaryDnsAcl/main/office');
    expect(plan.stdout).toContain('+ /ip_range: "192.0.2.0/24"');
    const applied = await cli('apply', '--auto-approve');
    expect(applied.code, applied.stderr).toBe(0);
    const acls = await liveAcls();
    expect(acls.map((a) => [a.name, a.ip_range]).sort()).toEqual([
      ['dc-v6', '2001:db8:1::/64'],
      ['office-v4', '192.0.2.0/24'],
    ]);
    const again = await cli('plan', '--detailed-exitcode');
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toContain('No changes.');

    const office = acls.find((a) => a.name === 'office-v4')!;
    await world.emulator.api('PUT', `/accounts/${EXAMPLE_ACCOUNT}/secondary_dns/acls/${office.id}`, {
      id: office.id,
      name: 'office-v4',
      ip_range: '198.51.100.0/24',
    });
    const drift = await cli('drift');
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain('~ /ip_range: "198.51.100.0/24" → "192.0.2.0/24"');
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    expect((await liveAcls()).find((a) => a.id === office.id)?.ip_range).toBe('192.0.2.0/24');

    // Removed from the manifests: pruned.
    await world.ws.write('desired-state/acls.yaml', ACLS.split('---\n')[0]!);
    const pruned = await cli('apply', '--auto-approve', '--prune');
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toContain('delete SecondaryDnsAcl/main/dc-v6');
    expect((await liveAcls()).map((a) => a.name)).toEqual(['office-v4']);
  });

  test('GIVEN a /16 or a /48 WHEN validated THEN refused at the line of ip_range, naming the limit', async () => {
    await world.ws.write(
      'desired-state/acls.yaml',
      ACLS.replace('192.0.2.0/24', '10.1.0.0/16').replace('2001:db8:1::/64', '2001:db8::/48'),
    );
    const r = await cli('validate');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'error[E_ACL_RANGE]: desired-state/acls.yaml:8:13 /spec/ip_range 10.1.0.0/16 is wider than Cloudflare allows for an ACL (at most a /24) (split it into /24 ranges, one SecondaryDnsAcl each)',
    );
    expect(r.stderr).toContain('2001:db8::/48 is wider than Cloudflare allows for an ACL (at most a /64)');
    expect(await liveAcls()).toEqual([]);
  });

  test('GIVEN policy.aclAllowedCidrs WHEN an ACL lies outside THEN the plan refuses it at its field', async () => {
    const config = await world.ws.read('desired-state/cfgitops.yaml');
    await world.ws.write(
      'desired-state/cfgitops.yaml',
      config.replace('  prune: false\n', '  prune: false\n  policy:\n    aclAllowedCidrs: [192.0.2.0/23]\n'),
    );
    await world.ws.write('desired-state/acls.yaml', ACLS);
    const r = await cli('plan');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error\[E_POLICY_VIOLATION\]: desired-state\/acls\.yaml:17:13 \/spec\/ip_range ACL "dc-v6" range 2001:db8:1::\/64 is outside the allowed networks \(allowed: 192\.0\.2\.0\/23 \(policy\.aclAllowedCidrs\)\)/,
    );
    expect(r.stderr).not.toContain('office-v4');
  });

  test('GIVEN an unmanaged ACL WHEN exported, then imported under another name THEN both adopt it without a change', async () => {
    const created = await world.emulator.api('POST', `/accounts/${EXAMPLE_ACCOUNT}/secondary_dns/acls`, {
      name: 'partner',
      ip_range: '203.0.113.0/24',
    });
    expect(created.status).toBe(200);
    const exported = await cli('export', '--kind', 'acl', '--out', 'desired-state/imported');
    expect(exported.code, exported.stderr).toBe(0);
    const file = await world.ws.read('desired-state/imported/main/acls.yaml');
    expect(file).toContain('kind: SecondaryDnsAcl');
    expect(file).toContain('ip_range: 203.0.113.0/24');
    const plan = await cli('plan');
    expect(plan.stdout).toMatch(/<= adopt SecondaryDnsAcl\/main\/partner/);
    expect(plan.stdout).not.toMatch(/[~] \/ip_range/);

    // The same ACL imported instead, by id, under a manifest of its own.
    await world.ws.write('desired-state/imported/main/acls.yaml', '# moved to acls.yaml\n');
    await world.ws.write(
      'desired-state/acls.yaml',
      'apiVersion: cfgitops.dev/v1\nkind: SecondaryDnsAcl\nmetadata:\n  name: partner-net\n  account: main\nspec:\n  name: partner\n  ip_range: 203.0.113.0/24\n',
    );
    const id = (created.body as { result: { id: string } }).result.id;
    const imported = await cli('import', 'acl', 'partner-net', id);
    expect(imported.code, imported.stderr).toBe(0);
    const after = await cli('plan', '--format', 'json');
    const steps = (JSON.parse(after.stdout) as { steps: { action: string; address: { kind: string } }[] }).steps;
    expect(steps.filter((s) => s.address.kind === 'SecondaryDnsAcl').map((s) => s.action)).toEqual(['no-op']);
  });
});
