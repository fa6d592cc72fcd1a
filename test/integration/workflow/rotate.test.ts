/**
 * `cfgitops rotate`: with --strategy roll, same id, new value in the sink, old value dead; selection by name and
 * age; dry run. The example's tokens have no rotation policy, so their strategy is the default, overlap (its own
 * tests are in rotate-overlap.test.ts).
 */
import { describe, expect, test } from 'vitest';
import { useE2eWorld } from '../../support/e2e-world.js';
import { EXAMPLE_ACCOUNT, liveResources, verifySinkValues } from '../../support/workspace.js';
import { callsBetween, editState, requestCounts, tokenKey } from './harness.js';

const world = useE2eWorld({
  setup: async () => {
    const r = await world.cli('apply', '--auto-approve');
    expect(r.code, r.stderr).toBe(0);
  },
});
const { cli } = world;

const verifyStatus = async (value: string): Promise<number> =>
  (
    await world.emulator.api('GET', `/accounts/${EXAMPLE_ACCOUNT}/tokens/verify`, undefined, {
      authorization: `Bearer ${value}`,
    })
  ).status;
const rolls = (calls: Record<string, number>) => calls['account-api-tokens-roll-token'] ?? 0;
const ageValue = (name: string, daysAgo: number) =>
  editState(world.ws, (s) => {
    s.resources[tokenKey(EXAMPLE_ACCOUNT, name)]!['value_issued_at'] = new Date(
      Date.now() - daysAgo * 86_400_000,
    ).toISOString();
  });

describe('GIVEN an applied example', () => {
  test('WHEN one token is rotated by name THEN its sink value changes, the old one stops verifying, the id stays', async () => {
    const idsBefore = await verifySinkValues(world.emulator, world.ws);
    const oldValue = (await world.ws.sinkValues())['zone-readonly']!;
    expect(await verifyStatus(oldValue)).toBe(200);

    const r = await cli('rotate', 'zone-readonly', '--strategy', 'roll');
    expect(r.code, r.stderr).toBe(0);

    const values = await world.ws.sinkValues();
    expect(values['zone-readonly']).not.toBe(oldValue);
    expect(await verifyStatus(oldValue)).not.toBe(200);
    expect(await verifyStatus(values['zone-readonly']!)).toBe(200);
    expect(await verifySinkValues(world.emulator, world.ws)).toEqual(idsBefore);
    const state = await world.ws.stateFile();
    expect(state.resources[tokenKey(EXAMPLE_ACCOUNT, 'zone-readonly')]?.value_status).toBe('delivered');
    expect(state.pending).toEqual({});
    expect((await cli('plan', '--detailed-exitcode')).code).toBe(0);
  });

  test('WHEN every token is rotated THEN each is rolled once and all sink values are current', async () => {
    const before = await requestCounts(world.emulator);
    const oldValues = await world.ws.sinkValues();
    const r = await cli('rotate', 'desired-state', '--strategy', 'roll');
    expect(r.code, r.stderr).toBe(0);
    expect(rolls(callsBetween(before, await requestCounts(world.emulator)))).toBe(3);
    const values = await world.ws.sinkValues();
    for (const key of Object.keys(oldValues)) expect(values[key]).not.toBe(oldValues[key]);
    await verifySinkValues(world.emulator, world.ws);
  });

  test.each([
    ['30d', [], 0],
    ['30d', [['logs-reader', 45]], 1],
    [
      '30d',
      [
        ['logs-reader', 45],
        ['zone-readonly', 10],
      ],
      1,
    ],
    [
      '7d',
      [
        ['logs-reader', 45],
        ['zone-readonly', 10],
      ],
      2,
    ],
  ] as const)('WHEN --older-than %s and ages %j THEN %i token(s) roll', async (olderThan, ages, expected) => {
    for (const [name, days] of ages) await ageValue(name, days);
    const before = await requestCounts(world.emulator);
    const r = await cli('rotate', '--older-than', olderThan, '--strategy', 'roll');
    expect(r.code, r.stderr).toBe(0);
    expect(rolls(callsBetween(before, await requestCounts(world.emulator)))).toBe(expected);
  });

  test('WHEN --dry-run THEN it lists the old tokens and rolls nothing', async () => {
    await ageValue('logs-reader', 45);
    const sink = await world.ws.read('.cfgitops/secrets.json');
    const before = await requestCounts(world.emulator);
    const r = await cli('rotate', '--older-than', '30d', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    // Shown with the Config's account alias, as plans are.
    expect(r.stdout).toContain('AccountToken/main/logs-reader');
    expect(r.stdout).not.toContain('zone-readonly');
    expect(callsBetween(before, await requestCounts(world.emulator))).toEqual({});
    expect(await world.ws.read('.cfgitops/secrets.json')).toBe(sink);
  });

  test('WHEN a name is not a managed token THEN it exits 1 and rolls nothing', async () => {
    const before = await requestCounts(world.emulator);
    const r = await cli('rotate', 'zone-readonly', 'no-such-token');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[E_STATE_NOT_FOUND\]/);
    expect(rolls(callsBetween(before, await requestCounts(world.emulator)))).toBe(0);
  });

  test('WHEN a token was deleted out of band THEN the others rotate and the run exits 1', async () => {
    const live = await liveResources(world.emulator);
    const gone = live.tokens.find((t) => t.name === 'cfgitops logs reader')!;
    await world.emulator.api('DELETE', `/accounts/${EXAMPLE_ACCOUNT}/tokens/${gone.id}`);
    const before = await requestCounts(world.emulator);
    const r = await cli('rotate', '--strategy', 'roll');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(tokenKey(EXAMPLE_ACCOUNT, 'logs-reader'));
    expect(rolls(callsBetween(before, await requestCounts(world.emulator)))).toBe(2);
  });

  test('WHEN --older-than is not a duration THEN it exits 1 with E_USAGE', async () => {
    const r = await cli('rotate', '--older-than', 'a month');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[E_USAGE\]/);
  });
});
