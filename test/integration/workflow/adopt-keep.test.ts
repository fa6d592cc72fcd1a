/**
 * `tokens.onAdopt: keep`: an existing token taken under management keeps its value (whatever uses it keeps working),
 * recorded `external`; plans never roll it on their own, and `rotate` rolls it into its sink when the user is ready.
 * The default (`roll`) still rolls at adoption.
 */
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { useE2eWorld } from '../../support/e2e-world.js';
import { tokenBody } from '../../support/emulator.js';
import { EXAMPLE_ACCOUNT, verifySinkValues } from '../../support/workspace.js';
import { callsBetween, requestCounts, tokenKey } from './harness.js';

const world = useE2eWorld();
const { cli } = world;

const ZONE_READONLY = tokenKey(EXAMPLE_ACCOUNT, 'zone-readonly');

/** An unmanaged token named like the manifest's zone-readonly; returns its id and the sha256 of its value. */
async function existingToken(): Promise<{ id: string; hash: string }> {
  const res = await world.emulator.api(
    'POST',
    `/accounts/${EXAMPLE_ACCOUNT}/tokens`,
    tokenBody(EXAMPLE_ACCOUNT, { name: 'cfgitops zone read-only' }),
  );
  expect(res.status).toBe(200);
  const { id, value } = (res.body as { result: { id: string; value: string } }).result;
  return { id, hash: createHash('sha256').update(value).digest('hex') };
}

async function currentHash(id: string): Promise<string | undefined> {
  const res = await world.emulator.control('GET', `/resources?account=${EXAMPLE_ACCOUNT}&secrets=1`);
  const tokens = (res.body as { accounts: Record<string, { tokens: { id: string; value_sha256: string }[] }> })
    .accounts[EXAMPLE_ACCOUNT]?.tokens;
  return tokens?.find((t) => t.id === id)?.value_sha256;
}

async function setOnAdopt(mode: 'roll' | 'keep'): Promise<void> {
  const config = await world.ws.read('desired-state/cfgitops.yaml');
  await world.ws.write(
    'desired-state/cfgitops.yaml',
    config.replace('  prune: false\n', `  tokens:\n    onAdopt: ${mode}\n  prune: false\n`),
  );
}

describe('GIVEN an existing token with the name of a declared one', () => {
  test('WHEN applied with onAdopt keep THEN adopted without a roll, recorded external, and the next plan leaves it alone; WHEN rotated THEN it reaches its sink', async () => {
    await setOnAdopt('keep');
    const { id, hash } = await existingToken();

    const before = await requestCounts(world.emulator);
    const applied = await cli('apply', '--auto-approve');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(callsBetween(before, await requestCounts(world.emulator))['account-api-tokens-roll-token']).toBeUndefined();
    expect(await currentHash(id)).toBe(hash);
    const rec = (await world.ws.stateFile()).resources[ZONE_READONLY] as unknown as Record<string, unknown>;
    expect(rec).toMatchObject({ id, origin: 'adopted', value_status: 'external' });
    expect(await world.ws.sinkValues()).not.toHaveProperty('zone-readonly');

    const plan = await cli('plan', '--detailed-exitcode');
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);

    const rotated = await cli('rotate', 'zone-readonly', '--strategy', 'roll');
    expect(rotated.code, rotated.stdout + rotated.stderr).toBe(0);
    expect(await currentHash(id)).not.toBe(hash);
    expect((await verifySinkValues(world.emulator, world.ws))['zone-readonly']).toBe(id);
    expect((await world.ws.stateFile()).resources[ZONE_READONLY]).toMatchObject({ id, value_status: 'delivered' });
  });

  test('WHEN applied with the default onAdopt roll THEN adopted and rolled into its sink', async () => {
    await setOnAdopt('roll');
    const { id, hash } = await existingToken();
    const applied = await cli('apply', '--auto-approve');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(await currentHash(id)).not.toBe(hash);
    expect((await verifySinkValues(world.emulator, world.ws))['zone-readonly']).toBe(id);
  });

  test('WHEN only its manifest says cfgitops.dev/on-adopt: keep (Config default roll) THEN adopted without a roll, recorded external', async () => {
    const tokens = await world.ws.read('desired-state/tokens.yaml');
    await world.ws.write(
      'desired-state/tokens.yaml',
      tokens.replace(
        '  name: zone-readonly\n  account: main\n',
        '  name: zone-readonly\n  account: main\n  annotations:\n    cfgitops.dev/on-adopt: keep\n',
      ),
    );
    const { id, hash } = await existingToken();
    const plan = await cli('plan');
    expect(plan.stdout).toContain('keep its value where it is (cfgitops.dev/on-adopt: keep)');
    // Nothing goes to the sink at adoption: the plan must not say "value → sink".
    expect(plan.stdout).toContain(
      'value stays where it is used today; `cfgitops rotate` would deliver a new one to sink local, key zone-readonly',
    );
    expect(plan.stdout).not.toContain('value → sink local, key zone-readonly');
    const applied = await cli('apply', '--auto-approve');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(await currentHash(id)).toBe(hash);
    expect((await world.ws.stateFile()).resources[ZONE_READONLY]).toMatchObject({ id, value_status: 'external' });
  });

  test('WHEN imported with onAdopt keep THEN recorded external and the next plan does not roll it', async () => {
    await setOnAdopt('keep');
    const { id, hash } = await existingToken();
    const imported = await cli('import', 'token', 'zone-readonly', id);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    expect((await world.ws.stateFile()).resources[ZONE_READONLY]).toMatchObject({ id, value_status: 'external' });
    const plan = JSON.parse((await cli('plan', '--format', 'json')).stdout) as {
      steps: { action: string; address: { name: string }; rollValue?: boolean }[];
    };
    expect(plan.steps.find((s) => s.address.name === 'zone-readonly')?.rollValue).toBeUndefined();
    expect(await currentHash(id)).toBe(hash);
  });
});
