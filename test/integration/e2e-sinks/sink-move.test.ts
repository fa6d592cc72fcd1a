/**
 * Issue 13, defect 7 (last part): a token whose sink changes gets its new value delivered to the new sink and its
 * old value removed from the old one, journaled: the state records the old sink as `stale_sinks` until the removal
 * succeeded, so a run stopped between the two leaves a clear record that the next plan shows and apply finishes.
 */
import { describe, expect, test } from 'vitest';
import { EXAMPLE_ACCOUNT } from '../../support/workspace.js';
import { currentTokenIdOf, stateTokens, useSinkWorld, writeSinkRepo } from './harness.js';

const world = useSinkWorld();
const { cli } = world;

const secretsJson = async (): Promise<Record<string, string>> =>
  JSON.parse(await world.ws.read('.cfgitops/secrets.json')) as Record<string, string>;
const dotenv = () => world.ws.read('.cfgitops/tokens.env').catch(() => '');

/** json-token in the default json file first, then moved to the dotenv file under `moved`. */
async function declare(where: 'json' | 'dotenv'): Promise<void> {
  await writeSinkRepo(world.ws, {
    gh: world.gh,
    age: world.age,
    tokens: where === 'json' ? ['json-token', 'dotenv-token'] : ['dotenv-token'],
    ...(where === 'dotenv' ? { extraTokens: { 'json-token': ['dotenv', 'moved'] } } : {}),
  });
}

describe('GIVEN a token delivered to one file sink', () => {
  test('WHEN its sink changes to another file sink THEN apply delivers there, removes it from the old file, and the next plan is empty', async () => {
    await declare('json');
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    expect(Object.keys(await secretsJson())).toEqual(['json-token']);

    await declare('dotenv');
    const plan = await cli('plan');
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/roll-secret AccountToken\/main\/json-token/);
    expect(plan.stdout).toContain('then remove the old value from sink local, key json-token');
    const json = JSON.parse((await cli('plan', '--format', 'json')).stdout) as {
      steps: { action: string; removeOldValues?: unknown }[];
    };
    expect(json.steps.find((s) => s.action === 'roll-secret')?.removeOldValues).toEqual([
      { sink: 'local', key: 'json-token' },
    ]);

    const applied = await cli('apply', '--auto-approve');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(await secretsJson()).toEqual({});
    const moved = /^MOVED='([^']*)'$/m.exec(await dotenv())?.[1];
    expect(moved).toBeDefined();
    const state = await stateTokens(world.ws);
    expect(await currentTokenIdOf(world.emulator, moved!)).toBe(state['json-token']?.id);
    expect(state['json-token']).toMatchObject({ sink: { sink: 'dotenv', key: 'moved' }, value_status: 'delivered' });
    expect(state['json-token']).not.toHaveProperty('stale_sinks');

    const again = await cli('plan', '--detailed-exitcode');
    expect(again.code, again.stdout).toBe(0);
  });

  test('WHEN the run stops between delivery and removal THEN state records the stale sink, the next plan shows the removal and apply completes it', async () => {
    await declare('json');
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    const old = (await secretsJson())['json-token'];

    // The old file cannot be rewritten (not a JSON object any more: the sink refuses to overwrite it), so the run
    // stops right after the new value's delivery commit — the state the journal promises to recover from.
    await declare('dotenv');
    await world.ws.write('.cfgitops/secrets.json', 'not json\n');
    const stopped = await cli('apply', '--auto-approve');
    expect(stopped.code, stopped.stdout + stopped.stderr).toBe(1);
    expect(stopped.stdout + stopped.stderr).toMatch(/sink "local"/);
    const state = await stateTokens(world.ws);
    expect(state['json-token']).toMatchObject({
      sink: { sink: 'dotenv', key: 'moved' },
      value_status: 'delivered',
      stale_sinks: [{ sink: 'local', key: 'json-token' }],
    });
    expect(/^MOVED='/m.test(await dotenv())).toBe(true);

    // The old value back in the old file, as a crash would have left it.
    await world.ws.write('.cfgitops/secrets.json', `${JSON.stringify({ 'json-token': old, other: 'kept' })}\n`);
    const plan = await cli('plan', '--detailed-exitcode');
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toMatch(/remove-old-value AccountToken\/main\/json-token/);
    expect(plan.stdout).toContain('then remove the old value from sink local, key json-token');
    expect(plan.stdout).toMatch(/1 old value\(s\) to remove from a former sink/);

    const finished = await cli('apply', '--auto-approve');
    expect(finished.code, finished.stdout + finished.stderr).toBe(0);
    expect(await secretsJson()).toEqual({ other: 'kept' });
    expect((await stateTokens(world.ws))['json-token']).not.toHaveProperty('stale_sinks');
    expect((await cli('plan', '--detailed-exitcode')).code).toBe(0);
  });

  test('WHEN the token is deleted out of band and its sink changes in the same change THEN the re-create delivers to the new sink and clears the dead value from the old one', async () => {
    await declare('json');
    expect((await cli('apply', '--auto-approve')).code).toBe(0);
    const oldId = (await stateTokens(world.ws))['json-token']!.id;
    const gone = await world.emulator.api('DELETE', `/accounts/${EXAMPLE_ACCOUNT}/tokens/${oldId}`);
    expect(gone.status).toBe(200);

    await declare('dotenv');
    const plan = await cli('plan');
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/create AccountToken\/main\/json-token/);
    expect(plan.stdout).toContain('deleted out of band: re-create with a new value');
    expect(plan.stdout).toContain('then remove the old value from sink local, key json-token');

    const applied = await cli('apply', '--auto-approve');
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(await secretsJson()).toEqual({});
    const moved = /^MOVED='([^']*)'$/m.exec(await dotenv())?.[1];
    const state = await stateTokens(world.ws);
    expect(state['json-token']!.id).not.toBe(oldId);
    expect(await currentTokenIdOf(world.emulator, moved!)).toBe(state['json-token']!.id);
    expect(state['json-token']).not.toHaveProperty('stale_sinks');
    expect((await cli('plan', '--detailed-exitcode')).code).toBe(0);
  });
});
