/**
 * `cfgitops import KIND NAME ID`: takes a live resource under management as a declared one, or refuses with a code.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { useE2eWorld } from '../../support/e2e-world.js';
import { tokenBody } from '../../support/emulator.js';
import { EXAMPLE_ACCOUNT, verifySinkValues } from '../../support/workspace.js';
import { callsBetween, requestCounts, tokenKey } from './harness.js';

interface PlanJson {
  steps: { action: string; address: { name: string }; diff: { path: string }[]; rollValue?: boolean }[];
}

const world = useE2eWorld();
const { cli } = world;

const createLiveToken = async (name: string): Promise<string> => {
  const res = await world.emulator.api(
    'POST',
    `/accounts/${EXAMPLE_ACCOUNT}/tokens`,
    tokenBody(EXAMPLE_ACCOUNT, { name }),
  );
  expect(res.status).toBe(200);
  return (res.body as { result: { id: string } }).result.id;
};
const createLivePeer = async (name: string, ip: string): Promise<string> => {
  const res = await world.emulator.api('POST', `/accounts/${EXAMPLE_ACCOUNT}/secondary_dns/peers`, { name });
  const id = (res.body as { result: { id: string } }).result.id;
  await world.emulator.api('PUT', `/accounts/${EXAMPLE_ACCOUNT}/secondary_dns/peers/${id}`, { name, ip, port: 53 });
  return id;
};
const planSteps = async () => {
  const r = await cli('plan', '--format', 'json');
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as PlanJson).steps;
};

describe('GIVEN a live token cfgitops does not manage', () => {
  let id: string;
  beforeEach(async () => {
    id = await createLiveToken('legacy deploy token');
  });

  test('WHEN imported THEN it is recorded as imported and undelivered, and plan updates it in place and rolls it', async () => {
    const r = await cli('import', 'AccountToken', 'zone-readonly', id);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/undelivered/);
    const rec = (await world.ws.stateFile()).resources[tokenKey(EXAMPLE_ACCOUNT, 'zone-readonly')] as unknown as Record<
      string,
      unknown
    >;
    expect(rec).toMatchObject({ id, origin: 'imported', value_status: 'undelivered', cf_name: 'legacy deploy token' });

    const step = (await planSteps()).find((s) => s.address.name === 'zone-readonly');
    expect(step?.action).toBe('update');
    expect(step?.rollValue).toBe(true);
    expect(step?.diff.map((d) => d.path)).toContain('/name');

    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    expect((await verifySinkValues(world.emulator, world.ws))['zone-readonly']).toBe(id);
  });

  test('WHEN imported with --roll THEN the value is rolled into the sink at once, same id', async () => {
    const before = await requestCounts(world.emulator);
    const r = await cli('import', 'token', 'zone-readonly', id, '--roll');
    expect(r.code, r.stderr).toBe(0);
    expect(callsBetween(before, await requestCounts(world.emulator))['account-api-tokens-roll-token']).toBe(1);
    expect((await verifySinkValues(world.emulator, world.ws))['zone-readonly']).toBe(id);
    const rec = (await world.ws.stateFile()).resources[tokenKey(EXAMPLE_ACCOUNT, 'zone-readonly')];
    expect(rec?.value_status).toBe('delivered');
    expect((await world.ws.stateFile()).pending).toEqual({});
  });

  test.each([
    ['the name is not declared', ['AccountToken', 'no-such-token'], 'E_IMPORT_NOT_DECLARED'],
    ['the name is declared as another kind', ['AccountToken', 'ns1-primary'], 'E_IMPORT_NOT_DECLARED'],
    ['the kind is unknown', ['Zone', 'zone-readonly'], 'E_USAGE'],
  ])('WHEN %s THEN import exits 1 with %s and records nothing', async (_what, [kind, name], code) => {
    const r = await cli('import', kind!, name!, id);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error[${code}]`);
  });

  test('WHEN the id does not exist THEN import exits 1 with E_API_NOT_FOUND', async () => {
    const r = await cli('import', 'AccountToken', 'zone-readonly', '0'.repeat(32));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[E_API_NOT_FOUND]');
  });

  test('WHEN the name or the id is already recorded THEN import refuses with E_IMPORT_CONFLICT', async () => {
    expect((await cli('import', 'AccountToken', 'zone-readonly', id)).code).toBe(0);
    const other = await createLiveToken('another legacy token');
    const sameName = await cli('import', 'AccountToken', 'zone-readonly', other);
    expect(sameName.code).toBe(1);
    expect(sameName.stderr).toContain('error[E_IMPORT_CONFLICT]');
    const sameId = await cli('import', 'AccountToken', 'logs-reader', id);
    expect(sameId.code).toBe(1);
    expect(sameId.stderr).toContain('error[E_IMPORT_CONFLICT]');
    expect(Object.keys((await world.ws.stateFile()).resources)).toEqual([tokenKey(EXAMPLE_ACCOUNT, 'zone-readonly')]);
  });
});

describe('GIVEN a live peer cfgitops does not manage', () => {
  test('WHEN imported THEN plan shows its differing ip as an update of the same id', async () => {
    const id = await createLivePeer('old-ns2', '203.0.113.9');
    const r = await cli('import', 'peer', 'ns2-primary', id);
    expect(r.code, r.stderr).toBe(0);
    const step = (await planSteps()).find((s) => s.address.name === 'ns2-primary');
    expect(step?.action).toBe('update');
    expect(step?.diff.map((d) => d.path).sort()).toEqual(expect.arrayContaining(['/ip', '/name']));
  });
});
