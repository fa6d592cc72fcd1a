/**
 * Issue 13, defect 7, end to end on the built CLI (`npm test` builds first): the commands disagreed. `rotate`,
 * `state` and `force-unlock` took `--dir` where the others take a positional directory; `rotate` and `import` had
 * no `--format`; `rotate` printed only a count; an auth error showed the route template's literal `{account_id}`.
 * Now every command takes the directory as its last argument (`--dir` still works, with one warning line), prints
 * one JSON document with `--format json` whatever happens, `rotate` lists each token it rolled (address, id, sink),
 * and errors name the real call.
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { spawnCli, type CliResult } from '../../support/cli.js';
import { useE2eWorld } from '../../support/e2e-world.js';

const world = useE2eWorld();
const ACCOUNT = '0123456789abcdef0123456789abcdef';
/** The manifests live here, not in the default `desired-state`, so only a directory that is honoured works. */
const DIR = 'manifests';

/** The built CLI, as a user runs it. */
async function built(argv: string[], env: Record<string, string | undefined> = world.ws.env): Promise<CliResult> {
  const run = spawnCli(argv, { cwd: world.ws.dir, env });
  const { code } = await run.exited;
  world.outputs.push(run.stdout(), run.stderr());
  return { code: code ?? -1, stdout: run.stdout(), stderr: run.stderr() };
}

interface RotateJson {
  ok: boolean;
  outcome: string;
  tokens: { address: string; id: string; sink: string; status: string }[];
}

beforeEach(async () => {
  await rename(join(world.ws.dir, 'desired-state'), join(world.ws.dir, DIR));
  const applied = await world.cli('apply', '--auto-approve', DIR);
  expect(applied.code, applied.stderr).toBe(0);
});

const recordedId = async (kind: string, name: string): Promise<string> => {
  const state = await world.ws.stateFile();
  const id = state.resources[`${kind}/${ACCOUNT}/${name}`]?.id;
  expect(id).toBeTruthy();
  return id!;
};

describe('GIVEN manifests applied from a directory other than the default', () => {
  test('WHEN state, force-unlock and rotate get the directory as their last argument THEN they use it', async () => {
    const list = await built(['state', 'list', DIR]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('AccountToken/main/zone-readonly');

    const show = await built(['state', 'show', 'AccountToken/main/zone-readonly', DIR, '--format', 'json']);
    expect(show.code, show.stderr).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({ kind: 'AccountToken', name: 'zone-readonly' });

    const unlock = await built(['force-unlock', DIR]);
    expect(unlock.code, unlock.stderr).toBe(0);
    expect(unlock.stdout).toMatch(/is not locked/);

    const dry = await built(['rotate', 'zone-readonly', DIR, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('AccountToken/main/zone-readonly');

    const rm = await built(['state', 'rm', 'AccountToken/main/logs-reader', DIR]);
    expect(rm.code, rm.stderr).toBe(0);
    expect(Object.keys((await world.ws.stateFile()).resources)).not.toContain(`AccountToken/${ACCOUNT}/logs-reader`);
  });

  test('WHEN the deprecated --dir is used THEN it still works, with one warning line on stderr', async () => {
    for (const argv of [
      ['state', 'list', '--dir', DIR],
      ['force-unlock', '--dir', DIR],
      ['rotate', '--dry-run', '--dir', DIR],
    ]) {
      const r = await built(argv);
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
      const warnings = r.stderr.split('\n').filter((l) => l.includes('--dir is deprecated'));
      expect(warnings, r.stderr).toHaveLength(1);
      expect(warnings[0]).toMatch(/^warning: --dir is deprecated; give the directory as the last argument: cfgitops /);
    }
    const both = await built(['state', 'list', 'elsewhere', '--dir', DIR]);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/E_USAGE.*two manifest directories/);
  });

  test('WHEN rotate runs THEN it lists each token it rotated with its address, id and sink', async () => {
    const id = await recordedId('AccountToken', 'zone-readonly');
    const roll = await built(['rotate', 'zone-readonly', DIR, '--strategy', 'roll']);
    expect(roll.code, roll.stderr).toBe(0);
    expect(roll.stdout).toMatch(/Rotated 1 token\(s\): 1 by roll/);
    expect(roll.stdout).toContain(`✓ AccountToken/main/zone-readonly (id ${id}) → local#zone-readonly (roll)`);

    // Overlap (the default strategy): the successor's id holds the value now; the predecessor's is named too.
    const overlap = await built(['rotate', 'zone-readonly', DIR]);
    expect(overlap.code, overlap.stderr).toBe(0);
    const successor = await recordedId('AccountToken', 'zone-readonly');
    expect(successor).not.toBe(id);
    expect(overlap.stdout).toContain(
      `✓ AccountToken/main/zone-readonly (id ${successor}) → local#zone-readonly (overlap: the old value (id ${id}) works`,
    );
  });

  test('WHEN rotate runs with --format json THEN stdout is one document listing the rolled tokens, also on failure', async () => {
    const id = await recordedId('AccountToken', 'zone-readonly');
    const r = await built(['rotate', 'zone-readonly', DIR, '--strategy', 'roll', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as RotateJson;
    expect(doc).toMatchObject({ ok: true, outcome: 'rotated' });
    expect(doc.tokens).toEqual([
      expect.objectContaining({
        address: 'AccountToken/main/zone-readonly',
        id,
        sink: 'local#zone-readonly',
        status: 'rotated',
        strategy: 'roll',
      }),
    ]);

    const dry = JSON.parse((await built(['rotate', DIR, '--dry-run', '--format', 'json'])).stdout) as RotateJson;
    expect(dry.outcome).toBe('dry-run');
    expect(dry.tokens.map((t) => t.status)).toEqual(dry.tokens.map(() => 'would-rotate'));

    const failed = await built(['rotate', 'no-such-token', DIR, '--format', 'json']);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ ok: false, errors: [{ code: 'E_STATE_NOT_FOUND' }] });
    expect(failed.stderr).toMatch(/error\[E_STATE_NOT_FOUND\]/);
  });

  test('WHEN import runs with --format json THEN stdout is one document naming what was imported, also on failure', async () => {
    const id = await recordedId('SecondaryDnsPeer', 'ns2-primary');
    expect((await built(['state', 'rm', 'SecondaryDnsPeer/main/ns2-primary', DIR])).code).toBe(0);
    const r = await built(['import', 'peer', 'ns2-primary', id, DIR, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: true,
      imported: { address: `SecondaryDnsPeer/${ACCOUNT}/ns2-primary`, kind: 'SecondaryDnsPeer', id },
    });

    const failed = await built(['import', 'peer', 'ns2-primary', '0'.repeat(32), DIR, '--format', 'json']);
    expect(failed.code).toBe(1);
    const doc = JSON.parse(failed.stdout) as { ok: boolean; errors: { code: string }[] };
    expect(doc.ok).toBe(false);
    expect(doc.errors.length).toBeGreaterThan(0);
  });

  test('WHEN the credential is refused THEN the error names the real call, not the route template', async () => {
    const stranger = { ...world.ws.env, CLOUDFLARE_API_TOKEN: 'unknownunknownunknownunknownunknown0000' };
    const r = await built(['plan', DIR], stranger);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[E_API_AUTH\]/);
    expect(r.stderr).toContain(`/accounts/${ACCOUNT}/`);
    expect(r.stderr).not.toMatch(/\{account_id\}|\{token_id\}|\{peer_id\}|\{tsig_id\}/);

    const json = await built(['apply', DIR, '--auto-approve', '--format', 'json'], stranger);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, errors: [{ code: 'E_API_AUTH' }] });
  });
});
