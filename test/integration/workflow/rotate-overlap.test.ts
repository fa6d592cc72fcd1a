/**
 * Overlap rotation end to end, through the CLI against the emulator: `rotate` (the default strategy) delivers a
 * successor and leaves the old value working, bounded by the grace at Cloudflare itself; a due policy makes `plan`
 * show the rotation with its reason and `apply` do it; once the emulator's clock passes the grace the old value
 * fails and the next apply deletes the predecessor; a plan that would pass 500 tokens is refused before any write.
 */
import { describe, expect, test } from 'vitest';
import { useE2eWorld } from '../../support/e2e-world.js';
import { EXAMPLE_ACCOUNT, liveResources, verifySinkValues } from '../../support/workspace.js';
import { callsBetween, editState, READ_OPERATIONS, requestCounts, tokenKey } from './harness.js';

const world = useE2eWorld({
  setup: async () => {
    const r = await world.cli('apply', '--auto-approve');
    expect(r.code, r.stderr).toBe(0);
  },
});
const { cli } = world;
const KEY = tokenKey(EXAMPLE_ACCOUNT, 'zone-readonly');

const verifyStatus = async (value: string): Promise<{ status: number; code?: number }> => {
  const res = await world.emulator.api('GET', `/accounts/${EXAMPLE_ACCOUNT}/tokens/verify`, undefined, {
    authorization: `Bearer ${value}`,
  });
  const body = res.body as { errors?: { code: number }[] };
  return { status: res.status, ...(body.errors?.[0] ? { code: body.errors[0].code } : {}) };
};

interface RecordedToken {
  id: string;
  generation?: number;
  value_status?: string;
  predecessor?: { id: string; cf_name: string; generation: number; rotated_at: string; expires_on?: string };
}
const recordOf = async (): Promise<RecordedToken> =>
  (await world.ws.stateFile()).resources[KEY] as unknown as RecordedToken;

/** Sets the rotation policy of the example Config (its tokens section is absent: appended under spec). */
async function setPolicy(policy: string): Promise<void> {
  const path = 'desired-state/cfgitops.yaml';
  const text = await world.ws.read(path);
  await world.ws.write(path, text.replace('spec:\n', `spec:\n  tokens:\n    rotation: ${policy}\n`));
}

describe('GIVEN an applied example', () => {
  test('WHEN a token is rotated (overlap) THEN a successor holds the sink, both values verify, the predecessor is renamed and bounded by the grace; WHEN the grace passes THEN the old value fails and apply deletes it', async () => {
    const oldValue = (await world.ws.sinkValues())['zone-readonly']!;
    const before = await recordOf();
    const started = Date.now();

    const r = await cli('rotate', 'zone-readonly');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('1 by overlap');

    const newValue = (await world.ws.sinkValues())['zone-readonly']!;
    expect(newValue).not.toBe(oldValue);
    expect(newValue).toMatch(/^cfat_/);
    expect(await verifyStatus(newValue)).toEqual({ status: 200 });
    expect(await verifyStatus(oldValue)).toEqual({ status: 200 });

    const rec = await recordOf();
    expect(rec.id).not.toBe(before.id);
    expect(rec.generation).toBe(2);
    expect(rec.value_status).toBe('delivered');
    expect(rec.predecessor).toMatchObject({
      id: before.id,
      cf_name: 'cfgitops zone read-only (retired, generation 1)',
      generation: 1,
    });
    const expiresOn = Date.parse(rec.predecessor!.expires_on!);
    expect(expiresOn).toBeGreaterThan(started + 24 * 3_600_000 - 60_000);
    expect(expiresOn).toBeLessThanOrEqual(Date.now() + 24 * 3_600_000);
    const live = await liveResources(world.emulator);
    const pred = live.tokens.find((t) => t.id === before.id) as { name: string; expires_on?: string } | undefined;
    expect(pred?.name).toBe('cfgitops zone read-only (retired, generation 1)');
    expect(pred?.expires_on).toBe(rec.predecessor!.expires_on);
    expect(live.tokens.filter((t) => t.name === 'cfgitops zone read-only')).toHaveLength(1);
    expect(await verifySinkValues(world.emulator, world.ws)).toMatchObject({ 'zone-readonly': rec.id });
    expect((await cli('plan', '--detailed-exitcode')).code).toBe(0);
    const list = await cli('state', 'list');
    expect(list.stdout).toContain(
      `${rec.id}  (value delivered → local#zone-readonly, generation 2, predecessor ${before.id} (works until ${rec.predecessor!.expires_on!}))`,
    );

    // Cloudflare (the emulator's clock) ends the predecessor, whether or not cfgitops runs.
    await world.emulator.control('POST', '/clock/advance', { seconds: 24 * 3600 + 60 });
    expect(await verifyStatus(oldValue)).toEqual({ status: 403, code: 10000 });
    expect(await verifyStatus(newValue)).toEqual({ status: 200 });

    const plan = await cli('plan', '--detailed-exitcode');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('- delete-predecessor AccountToken/main/zone-readonly');
    expect(plan.stdout).toMatch(
      /predecessor [0-9a-f]{32} \("cfgitops zone read-only \(retired, generation 1\)", generation 1\)/,
    );
    const callsBefore = await requestCounts(world.emulator);
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    const writes = Object.entries(callsBetween(callsBefore, await requestCounts(world.emulator))).filter(
      ([op]) => !READ_OPERATIONS.has(op),
    );
    expect(writes).toEqual([['account-api-tokens-delete-token', 1]]);
    expect((await recordOf()).predecessor).toBeUndefined();
    expect((await liveResources(world.emulator)).tokens.some((t) => t.id === before.id)).toBe(false);
    expect((await cli('plan', '--detailed-exitcode')).code).toBe(0);
  });

  test('WHEN a policy makes a value due THEN plan shows the rotation with its reason (text, Markdown, JSON) and apply rotates on schedule', async () => {
    await setPolicy('{every: 30d, strategy: overlap, grace: 2h}');
    expect((await cli('plan', '--detailed-exitcode')).code).toBe(0);
    await editState(world.ws, (s) => {
      s.resources[KEY]!['value_issued_at'] = new Date(Date.now() - 31 * 86_400_000).toISOString();
    });
    const text = await cli('plan', '--detailed-exitcode');
    expect(text.code).toBe(2);
    expect(text.stdout).toContain('⟳ rotate AccountToken/main/zone-readonly');
    expect(text.stdout).toContain('value 31 days old, policy every 30d');
    expect(text.stdout).toContain('Plan: 1 to rotate.');
    const md = await cli('plan', '--format', 'markdown');
    expect(md.stdout).toContain('value 31 days old, policy every 30d');
    const json = JSON.parse((await cli('plan', '--format', 'json')).stdout) as {
      steps: { action: string; reason: string; rotation?: { strategy: string; graceSeconds: number } }[];
    };
    const step = json.steps.find((s) => s.action === 'rotate')!;
    expect(step.rotation).toMatchObject({ strategy: 'overlap', graceSeconds: 7200, generation: 2 });
    expect(step.reason).toMatch(/^value 31 days old, policy every 30d/);

    const oldValue = (await world.ws.sinkValues())['zone-readonly']!;
    const applied = await cli('apply', '--auto-approve');
    expect(applied.code, applied.stderr).toBe(0);
    expect(await verifyStatus(oldValue)).toEqual({ status: 200 });
    const rec = await recordOf();
    expect(rec.generation).toBe(2);
    expect(Date.parse(rec.predecessor!.expires_on!)).toBeLessThanOrEqual(Date.now() + 2 * 3_600_000);
    expect((await cli('plan', '--detailed-exitcode')).code).toBe(0);
  });

  test('WHEN the policy strategy is roll and a value is due THEN apply rolls it: same id, the old value fails at once', async () => {
    await setPolicy('{every: 1d, strategy: roll}');
    await editState(world.ws, (s) => {
      s.resources[KEY]!['value_issued_at'] = new Date(Date.now() - 2 * 86_400_000).toISOString();
    });
    const before = await recordOf();
    const oldValue = (await world.ws.sinkValues())['zone-readonly']!;
    const applied = await cli('apply', '--auto-approve');
    expect(applied.code, applied.stderr).toBe(0);
    expect(await verifyStatus(oldValue)).toEqual({ status: 403, code: 10000 });
    const rec = await recordOf();
    expect(rec).toMatchObject({ id: before.id, generation: 2, value_status: 'delivered' });
    expect(rec.predecessor).toBeUndefined();
  });

  test('WHEN a grace is not shorter than every THEN validate names the Config field', async () => {
    await setPolicy('{every: 1d, grace: 1d}');
    const r = await cli('validate');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cfgitops\.yaml:\d+:\d+.*rotation grace 1d is not shorter than rotation every 1d/);
  });

  test('WHEN a rotation is asked while the last one is inside its grace THEN it is refused with the reason; --strategy roll goes ahead', async () => {
    expect((await cli('rotate', 'zone-readonly')).code).toBe(0);
    const again = await cli('rotate', 'zone-readonly');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /not rotating AccountToken\/.*zone-readonly: its last overlap rotation's predecessor [0-9a-f]{32} lives until/,
    );
    const rec = await recordOf();
    const rolled = await cli('rotate', 'zone-readonly', '--strategy', 'roll');
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(await recordOf()).toMatchObject({ id: rec.id, generation: 3, predecessor: rec.predecessor });
  });

  test('WHEN a predecessor is alive THEN export does not offer it: state manages it', async () => {
    const before = await recordOf();
    expect((await cli('rotate', 'zone-readonly')).code).toBe(0);
    const exported = await cli('export', '--format', 'json', '--kind', 'token');
    expect(exported.code, exported.stderr).toBe(0);
    const report = JSON.parse(exported.stdout) as { exported: { id: string }[] };
    expect(report.exported.map((r) => r.id)).not.toContain(before.id);
  });
});
