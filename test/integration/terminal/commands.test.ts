/**
 * The commands a newcomer runs first, on a real terminal (the built CLI under a pseudo-terminal): the quick start
 * twice, plan, apply with its confirmation prompt, and drift, rotate and import. What is checked is what a person
 * sees: the result and summary, colour only without NO_COLOR, no stack trace, the exit code.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { useE2eWorld } from '../../support/e2e-world.js';
import { hasColour, runInTerminal, screenText, STACK_TRACE, type TerminalRun } from '../../support/terminal.js';
import { EXAMPLE_ACCOUNT, EXAMPLE_DIR } from '../../support/workspace.js';

const world = useE2eWorld();

/** Runs to the end; keeps the screen for the leak scan; returns it with the exit code. */
async function finished(run: TerminalRun): Promise<{ code: number; screen: string; raw: string }> {
  const code = await run.exited;
  world.outputs.push(run.raw());
  return { code, screen: screenText(run.raw()), raw: run.raw() };
}

const inWorkspace = (argv: string[], env: Record<string, string> = {}): TerminalRun =>
  runInTerminal(argv, { cwd: world.ws.dir, env: { ...world.ws.env, ...env } });

describe('GIVEN a fresh checkout on a terminal', () => {
  test('WHEN the quick start command runs twice THEN it applies the example, then reports no changes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cfgitops-quickstart-'));
    try {
      await cp(EXAMPLE_DIR, join(dir, 'desired-state'), { recursive: true });
      const env = { PATH: process.env['PATH'] };
      // package.json "start", after its build step.
      const argv = ['apply', '--emulator', '--auto-approve', 'desired-state'];
      const first = await finished(runInTerminal(argv, { cwd: dir, env }));
      expect(first.screen).not.toMatch(STACK_TRACE);
      expect(first.screen).toContain('NOT Cloudflare');
      expect(first.screen).toMatch(/Apply complete: 7 change\(s\) applied/);
      expect(first.code, first.screen).toBe(0);

      const second = await finished(runInTerminal(argv, { cwd: dir, env }));
      expect(second.screen).not.toMatch(STACK_TRACE);
      expect(second.screen).toMatch(/No changes/);
      expect(second.code, second.screen).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('GIVEN the example manifests and an emulated account, on a terminal', () => {
  test('WHEN plan runs THEN the plan is shown in colour; with NO_COLOR it has none', async () => {
    const plan = await finished(inWorkspace(['plan']));
    expect(plan.code, plan.screen).toBe(0);
    expect(plan.screen).not.toMatch(STACK_TRACE);
    expect(plan.screen).toMatch(/Plan: 7 to create/);
    expect(hasColour(plan.raw)).toBe(true);

    const plain = await finished(inWorkspace(['plan'], { NO_COLOR: '1' }));
    expect(plain.code, plain.screen).toBe(0);
    expect(plain.screen).toMatch(/Plan: 7 to create/);
    expect(hasColour(plain.raw)).toBe(false);
  });

  test('WHEN apply asks for confirmation THEN "no" changes nothing (exit 1) and "yes" applies (exit 0)', async () => {
    const declined = inWorkspace(['apply']);
    await declined.waitFor(/Only 'yes' will be accepted:/);
    declined.type('no\r');
    const no = await finished(declined);
    expect(no.screen).toContain('Apply cancelled; nothing was changed.');
    expect(no.screen).not.toMatch(STACK_TRACE);
    expect(no.code).toBe(1);
    const untouched = await world.emulator.control('GET', `/resources?account=${EXAMPLE_ACCOUNT}`);
    expect(JSON.stringify(untouched.body)).not.toContain('ns1.example.com');

    const accepted = inWorkspace(['apply']);
    await accepted.waitFor(/Only 'yes' will be accepted:/);
    accepted.type('yes\r');
    const yes = await finished(accepted);
    expect(yes.screen).toMatch(/Apply complete: 7 change\(s\) applied/);
    expect(yes.screen).not.toMatch(STACK_TRACE);
    expect(yes.code, yes.screen).toBe(0);
  });

  test('WHEN drift, rotate and import run after an apply THEN each reports its result and exits as documented', async () => {
    expect((await world.cli('apply', '--auto-approve')).code).toBe(0);

    const drift = await finished(inWorkspace(['drift']));
    expect(drift.screen).not.toMatch(STACK_TRACE);
    expect(drift.code, drift.screen).toBe(0);

    const rotate = await finished(inWorkspace(['rotate', 'zone-readonly']));
    expect(rotate.screen).not.toMatch(STACK_TRACE);
    expect(rotate.screen).toMatch(/zone-readonly/);
    expect(rotate.code, rotate.screen).toBe(0);

    // A peer made by hand at the API, then taken under management as manifest resource ns2-primary's neighbour.
    const res = await world.emulator.api('POST', `/accounts/${EXAMPLE_ACCOUNT}/secondary_dns/peers`, {
      name: 'ns3.example.com',
    });
    const id = (res.body as { result: { id: string } }).result.id;
    await world.ws.write(
      'desired-state/ns3.yaml',
      [
        'apiVersion: cfgitops.dev/v1',
        'kind: SecondaryDnsPeer',
        'metadata:',
        '  name: ns3-primary',
        '  account: main',
        'spec:',
        '  name: ns3.example.com',
        '  ip: 192.0.2.3',
        '',
      ].join('\n'),
    );
    const imported = await finished(inWorkspace(['import', 'SecondaryDnsPeer', 'ns3-primary', id]));
    expect(imported.screen).not.toMatch(STACK_TRACE);
    expect(imported.screen).toContain('ns3-primary');
    expect(imported.code, imported.screen).toBe(0);
  });
});
