/**
 * `cfgitops drift`: exit 0 in sync, 2 on every kind of drift, 1 on error — and never a write.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { useE2eWorld } from '../../support/e2e-world.js';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { EXAMPLE_ACCOUNT, liveResources } from '../../support/workspace.js';
import { callsBetween, editState, READ_OPERATIONS, requestCounts, tokenKey } from './harness.js';

interface DriftJson {
  drifted: boolean;
  findings: { kind: string; resource: string; action?: string; diff: { path: string }[] }[];
}

const world = useE2eWorld();
const { cli } = world;

const driftJson = async (...extra: string[]): Promise<{ code: number; report: DriftJson }> => {
  const r = await cli('drift', '--format', 'json', ...extra);
  expect(r.code, r.stderr).not.toBe(1);
  return { code: r.code, report: JSON.parse(r.stdout) as DriftJson };
};
const kinds = (report: DriftJson) => report.findings.map((f) => `${f.kind} ${f.resource.split('/')[2] ?? ''}`).sort();

describe('GIVEN the example manifests never applied', () => {
  test('WHEN drift runs THEN it exits 2 with every resource not-applied', async () => {
    const { code, report } = await driftJson();
    expect(code).toBe(2);
    expect(report.drifted).toBe(true);
    expect(new Set(report.findings.map((f) => f.kind))).toEqual(new Set(['not-applied']));
    expect(report.findings).toHaveLength(7);
  });

  test('WHEN an unmanaged peer already has a desired name THEN drift reports a name clash', async () => {
    const res = await world.emulator.api('POST', `/accounts/${EXAMPLE_ACCOUNT}/secondary_dns/peers`, {
      name: 'ns2.example.com',
    });
    expect(res.status).toBe(200);
    const { code, report } = await driftJson();
    expect(code).toBe(2);
    expect(kinds(report)).toContain('unmanaged-name-clash ns2-primary');
  });
});

describe('GIVEN an applied example', () => {
  beforeEach(async () => {
    const r = await cli('apply', '--auto-approve');
    expect(r.code, r.stderr).toBe(0);
  });

  test('WHEN nothing changed THEN drift exits 0 in every format', async () => {
    for (const format of ['text', 'json', 'markdown']) {
      const r = await cli('drift', '--format', format);
      expect(r.code, r.stderr).toBe(0);
    }
    const { report } = await driftJson();
    expect(report).toMatchObject({ drifted: false, findings: [] });
  });

  test('WHEN a peer is edited and a token deleted out of band THEN drift exits 2 naming both, with field diffs', async () => {
    const live = await liveResources(world.emulator);
    const peer = live.peers.find((p) => p.name === 'ns2.example.com')!;
    const token = live.tokens.find((t) => t.name === 'cfgitops logs reader')!;
    await world.emulator.api('PUT', `/accounts/${EXAMPLE_ACCOUNT}/secondary_dns/peers/${peer.id}`, {
      name: 'ns2.example.com',
      ip: '203.0.113.1',
      port: 53,
    });
    await world.emulator.api('DELETE', `/accounts/${EXAMPLE_ACCOUNT}/tokens/${token.id}`);

    const { code, report } = await driftJson();
    expect(code).toBe(2);
    expect(kinds(report)).toEqual(['changed ns2-primary', 'deleted-out-of-band logs-reader']);
    const changed = report.findings.find((f) => f.kind === 'changed');
    expect(changed?.action).toBe('update');
    expect(changed?.diff.map((d) => d.path)).toContain('/ip');

    const text = await cli('drift');
    expect(text.code).toBe(2);
    expect(text.stdout).toContain('/ip');
  });

  test.each([
    [
      'a token value never delivered',
      (s: Parameters<Parameters<typeof editState>[1]>[0]) => {
        s.resources[tokenKey(EXAMPLE_ACCOUNT, 'zone-readonly')]!['value_status'] = 'undelivered';
      },
      'value-roll zone-readonly',
    ],
    [
      'a pending intent left by a crashed run',
      (s: Parameters<Parameters<typeof editState>[1]>[0]) => {
        const rec = s.resources[tokenKey(EXAMPLE_ACCOUNT, 'zone-readonly')]!;
        s.pending['i1'] = {
          id: 'i1',
          op: 'roll',
          kind: 'AccountToken',
          account: EXAMPLE_ACCOUNT,
          name: 'zone-readonly',
          cf_name: rec['cf_name'],
          started_at: '2026-01-01T00:00:00.000Z',
          resource_id: rec['id'],
          sink: rec['sink'],
        };
      },
      'pending-intent zone-readonly',
    ],
    [
      'a resource recorded but no longer declared',
      async () => {
        const peers = await world.ws.read('desired-state/peers.yaml');
        await world.ws.write('desired-state/peers.yaml', peers.split('---')[0]!);
        // The example's zone link names the peer: it leaves the link too (else the manifests do not load).
        const links = await world.ws.read('desired-state/zone-links.yaml');
        await world.ws.write('desired-state/zone-links.yaml', links.replace('    - ns2-primary\n', ''));
      },
      'not-in-manifests ns2-primary',
    ],
  ])('WHEN the state has %s THEN drift exits 2 and says so', async (_what, edit, expected) => {
    if (edit.length === 0) await (edit as () => Promise<void>)();
    else await editState(world.ws, edit);
    const { code, report } = await driftJson();
    expect(code).toBe(2);
    expect(kinds(report)).toContain(expected);
  });

  test('WHEN drift runs on drifted resources THEN only GETs reach the API and no sink or state file changes', async () => {
    const live = await liveResources(world.emulator);
    await world.emulator.api('DELETE', `/accounts/${EXAMPLE_ACCOUNT}/tokens/${live.tokens[0]!.id}`);
    await editState(world.ws, (s) => {
      s.resources[tokenKey(EXAMPLE_ACCOUNT, 'zone-readonly')]!['value_status'] = 'undelivered';
    });
    const sinkBefore = await world.ws.read('.cfgitops/secrets.json');
    const stateBefore = await world.ws.read('.cfgitops/state.json');
    const before = await requestCounts(world.emulator);

    for (const argv of [['drift'], ['drift', '--prune'], ['plan'], ['plan', '--prune']]) {
      const r = await cli(...argv);
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).not.toBe(1);
    }

    const calls = callsBetween(before, await requestCounts(world.emulator));
    expect(Object.keys(calls).length).toBeGreaterThan(0);
    expect(Object.keys(calls).filter((op) => !READ_OPERATIONS.has(op))).toEqual([]);
    expect(await world.ws.read('.cfgitops/secrets.json')).toBe(sinkBefore);
    expect(await world.ws.read('.cfgitops/state.json')).toBe(stateBefore);
  });
});

describe('GIVEN a token whose value goes to an exec sink', () => {
  test('WHEN plan and drift run THEN the exec command never runs; apply does run it', async () => {
    const marker = join(world.ws.dir, 'exec-sink-ran');
    const config = await world.ws.read('desired-state/cfgitops.yaml');
    await world.ws.write(
      'desired-state/cfgitops.yaml',
      config.replace(
        '    sinks:\n',
        `    sinks:\n      marker:\n        type: exec\n        command: [sh, -c, 'cat > /dev/null; touch "${marker}"']\n`,
      ),
    );
    const tokens = await world.ws.read('desired-state/tokens.yaml');
    await world.ws.write(
      'desired-state/tokens.yaml',
      tokens.replace('  status: active\n', '  status: active\n  secret:\n    sink: marker\n'),
    );
    const exists = () =>
      access(marker).then(
        () => true,
        () => false,
      );

    for (const argv of [['plan'], ['drift'], ['drift', '--format', 'markdown']]) {
      const r = await cli(...argv);
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).not.toBe(1);
    }
    expect(await exists()).toBe(false);

    const applied = await cli('apply', '--auto-approve');
    expect(applied.code, applied.stderr).toBe(0);
    expect(await exists()).toBe(true);
  });
});

describe('GIVEN manifests with an error', () => {
  test('WHEN drift runs THEN it exits 1 with the error code', async () => {
    await world.ws.write(
      'desired-state/peers.yaml',
      'apiVersion: cfgitops.dev/v1\nkind: SecondaryDnsPeer\nmetadata: {}\n',
    );
    const r = await cli('drift');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[E_SCHEMA\]/);
  });
});
