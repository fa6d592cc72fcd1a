/**
 * Issue 6, end to end: a change to sink or guardrail configuration shows in the plan as its own highlighted section,
 * counts as a change (`--detailed-exitcode` 2), and is recorded by the apply that succeeds — never by one that fails.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { useE2eWorld } from '../../support/e2e-world.js';

const world = useE2eWorld();
const { cli } = world;

interface PlanJson {
  steps: { action: string }[];
  config_changes: { path: string; before?: unknown; after?: unknown }[];
  summary: { hasChanges: boolean; configChanged: boolean };
}
const planJson = async () => {
  const r = await cli('plan', '--format', 'json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as PlanJson;
};
const editConfig = async (from: string, to: string) => {
  const text = await world.ws.read('desired-state/cfgitops.yaml');
  expect(text).toContain(from);
  await world.ws.write('desired-state/cfgitops.yaml', text.replace(from, to));
};
interface StateWithConfig {
  serial: number;
  applied_config?: { sinks: Record<string, { path?: string }>; policy: Record<string, unknown> };
}
const appliedConfig = async () => ((await world.ws.stateFile()) as unknown as StateWithConfig).applied_config;

const SINK_PATH = 'path: .cfgitops/secrets.json';
const MOVED_PATH = 'path: .cfgitops/moved-secrets.json';

describe('GIVEN the example manifests', () => {
  test('WHEN planned before any apply THEN the configured sink is listed as added; the apply records it', async () => {
    const first = await planJson();
    expect(first.config_changes).toContainEqual({ path: '/secrets/default', after: 'local' });
    expect(first.config_changes.map((c) => c.path)).toContain('/secrets/sinks/local');
    expect(first.summary.configChanged).toBe(true);

    const applied = await cli('apply', '--auto-approve');
    expect(applied.code, applied.stderr).toBe(0);
    expect((await appliedConfig())?.sinks['local']?.path).toBe('.cfgitops/secrets.json');
  });
});

describe('GIVEN an applied example', () => {
  beforeEach(async () => {
    const r = await cli('apply', '--auto-approve');
    expect(r.code, r.stderr).toBe(0);
  });

  test("WHEN a sink's path changes in cfgitops.yaml THEN the markdown plan warns before the table and exits 2; after apply the plan is empty", async () => {
    await editConfig(SINK_PATH, MOVED_PATH);

    const md = await cli('plan', '--format', 'markdown', '--detailed-exitcode');
    expect(md.code, md.stderr).toBe(2);
    const alert = md.stdout.indexOf('Configuration changes: secret sinks and guardrails — review carefully');
    expect(alert).toBeGreaterThan(0);
    expect(md.stdout.lastIndexOf('> [!WARNING]', alert)).toBeGreaterThan(0);
    expect(alert).toBeLessThan(md.stdout.indexOf('| account |'));
    expect(md.stdout).toContain(
      '> ~ /secrets/sinks/local/path: ".cfgitops/secrets.json" → ".cfgitops/moved-secrets.json"',
    );

    // The tokens' values must exist at the new path: each one is rolled (same id) and delivered there.
    const plan = await planJson();
    expect(plan.steps.filter((s) => s.action !== 'no-op').map((s) => s.action)).toEqual([
      'roll-secret',
      'roll-secret',
      'roll-secret',
    ]);
    expect(plan.config_changes).toEqual([
      { path: '/secrets/sinks/local/path', before: '.cfgitops/secrets.json', after: '.cfgitops/moved-secrets.json' },
    ]);

    const applied = await cli('apply', '--auto-approve');
    expect(applied.code, applied.stderr).toBe(0);
    expect((await appliedConfig())?.sinks['local']?.path).toBe('.cfgitops/moved-secrets.json');
    const moved = JSON.parse(await world.ws.read('.cfgitops/moved-secrets.json')) as Record<string, string>;
    expect(Object.keys(moved).sort()).toEqual(['CI_DNS_EDIT_TOKEN', 'logs-reader', 'zone-readonly']);

    const again = await cli('plan', '--detailed-exitcode');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/No changes/);
    expect(again.stdout).not.toContain('Configuration changes');
  });

  test('WHEN a guardrail is added and the plan is saved THEN applying the saved plan records that config', async () => {
    await editConfig('kind: Config\nspec:\n', 'kind: Config\nspec:\n  policy:\n    peerAllowedPorts: [53]\n');
    const text = await cli('plan', '--detailed-exitcode', '--out', 'plan.json');
    expect(text.code, text.stderr).toBe(2);
    expect(text.stdout).toContain('+ /policy/peerAllowedPorts:\n    +     53\n');

    const applied = await cli('apply', '--auto-approve', '--format', 'json', 'plan.json');
    expect(applied.code, applied.stderr).toBe(0);
    // A config-only apply: no resource changed, and the result says the configuration was recorded.
    expect(JSON.parse(applied.stdout)).toMatchObject({
      outcome: 'applied',
      ok: true,
      configRecorded: true,
      counts: { succeeded: 0, failed: 0, skipped: 0 },
      undelivered: [],
    });
    expect((await appliedConfig())?.policy).toEqual({ peerAllowedPorts: [53] });
    expect((await cli('plan', '--detailed-exitcode')).code).toBe(0);
  });

  test('WHEN the apply carrying a config change fails THEN the config is not recorded and the next plan shows it again', async () => {
    await editConfig(SINK_PATH, MOVED_PATH);
    await world.ws.write(
      'desired-state/peers.yaml',
      (await world.ws.read('desired-state/peers.yaml')).replace('192.0.2.53', '192.0.2.99'),
    );
    const fault = await world.emulator.control('PUT', '/faults', {
      rules: [
        { kind: 'error', method: 'PUT', path: '/accounts/{account_id}/secondary_dns/peers/{peer_id}', status: 400 },
      ],
    });
    expect(fault.status).toBe(200);
    const before = await appliedConfig();

    const failed = await cli('apply', '--auto-approve');
    expect(failed.code).not.toBe(0);
    expect(await appliedConfig()).toEqual(before);
    expect((await planJson()).config_changes.map((c) => c.path)).toEqual(['/secrets/sinks/local/path']);

    expect((await world.emulator.control('PUT', '/faults', { rules: [] })).status).toBe(200);
    const retried = await cli('apply', '--auto-approve');
    expect(retried.code, retried.stderr).toBe(0);
    expect((await appliedConfig())?.sinks['local']?.path).toBe('.cfgitops/moved-secrets.json');
    expect((await cli('plan', '--detailed-exitcode')).code).toBe(0);
  });

  test('WHEN nothing changed THEN a second apply writes no new state serial (the snapshot is not rewritten)', async () => {
    const serial = (await world.ws.stateFile()).serial;
    const again = await cli('apply', '--auto-approve');
    expect(again.code, again.stderr).toBe(0);
    expect((await world.ws.stateFile()).serial).toBe(serial);
  });
});
