/**
 * A long apply on a real terminal: a few hundred TSIG keys against an emulator that answers each call after 20 ms,
 * four steps at a time, so the run lasts well over the second after which the progress bar appears (≥ 75 rounds of
 * 20 ms), on any machine. Logs are turned up to `info` so they interleave with the bar: they must land above it,
 * never inside it. Ctrl-C mid-apply must end the run cleanly: steps in flight recorded, the lock released, and the
 * next apply converging with nothing duplicated.
 */
import { describe, expect, test } from 'vitest';
import { useE2eWorld } from '../../support/e2e-world.js';
import { runCli } from '../../support/cli.js';
import { runInTerminal, screenText, STACK_TRACE, type TerminalRun } from '../../support/terminal.js';
import { EXAMPLE_ACCOUNT } from '../../support/workspace.js';

const KEYS = 300;
const BAR = /^apply \[[#-]+\] +(\d+)% \| (\d+)\/(\d+) steps/;

const world = useE2eWorld({
  example: false,
  emulator: { latencyMs: 20 },
  setup: async () => {
    world.ws.env['BULK_TSIG_SECRET'] = 'c2VjcmV0LWZvci10aGUtYnVsay10c2lnLWtleXMtMDEyMzQ1Njc4OQ==';
    await world.ws.write('desired-state/cfgitops.yaml', CONFIG);
    await world.ws.write('desired-state/tsigs.yaml', tsigs(KEYS));
  },
});

const CONFIG = `apiVersion: cfgitops.dev/v1
kind: Config
spec:
  accounts:
    main: ${EXAMPLE_ACCOUNT}
  api:
    concurrency: 4
    rateLimit:
      requests: 100000
      windowSeconds: 300
`;

function tsigs(n: number): string {
  return Array.from(
    { length: n },
    (_, i) => `apiVersion: cfgitops.dev/v1
kind: SecondaryDnsTsig
metadata:
  name: bulk-${String(i).padStart(3, '0')}
  account: main
spec:
  name: tsig${i}.bulk.example.com.
  algo: hmac-sha256.
  secret:
    fromEnv: BULK_TSIG_SECRET
`,
  ).join('---\n');
}

const apply = (): TerminalRun =>
  runInTerminal(['apply', '--auto-approve'], {
    cwd: world.ws.dir,
    env: { ...world.ws.env, CFGITOPS_LOG_LEVEL: 'info' },
  });

async function liveTsigNames(): Promise<string[]> {
  const res = await world.emulator.control('GET', `/resources?account=${EXAMPLE_ACCOUNT}`);
  const accounts = (res.body as { accounts: Record<string, { tsigs: { name: string }[] }> }).accounts;
  return (accounts[EXAMPLE_ACCOUNT]?.tsigs ?? []).map((t) => t.name);
}

describe(`GIVEN ${KEYS} TSIG keys to create and 20 ms per API call, on a terminal`, () => {
  test('WHEN applied THEN a progress bar is shown, reaches 100 %, logs go above it, and the summary follows', async () => {
    const run = apply();
    const code = await run.exited;
    world.outputs.push(run.raw());
    const lines = run.lines();
    const screen = lines.join('\n');
    expect(screen).not.toMatch(STACK_TRACE);
    expect(code, screen.slice(-2000)).toBe(0);

    const bars = lines.filter((l) => BAR.test(l));
    expect(bars, 'the bar stays on screen once, in its final state').toHaveLength(1);
    expect(bars[0]).toMatch(new RegExp(`100% \\| ${KEYS}/${KEYS} steps`));
    // Drawn many times while it moved: the raw stream has intermediate states.
    expect(run.raw().match(/apply \[[#-]+\] +\d+% \|/g)!.length).toBeGreaterThan(3);
    // Log lines (pretty on a terminal) are whole lines of their own: none was written into the bar.
    expect(lines.filter((l) => / INFO: /.test(l)).length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.includes('apply [') && / INFO: | WARN: /.test(l))).toEqual([]);
    expect(screen).toMatch(new RegExp(`Apply complete: ${KEYS} change\\(s\\) applied`));
    expect(lines.indexOf(bars[0]!)).toBeLessThan(lines.findIndex((l) => l.startsWith('Apply complete')));
  });

  test('WHEN Ctrl-C is pressed mid-apply THEN it stops cleanly, releases the lock, and the next apply converges', async () => {
    const run = apply();
    await run.waitFor(/^apply \[[#-]+\] +([1-9]\d?)% /m);
    run.type('\u0003');
    const code = await run.exited;
    world.outputs.push(run.raw());
    const screen = screenText(run.raw());
    expect(screen).toContain('Interrupted (SIGINT)');
    expect(screen).not.toMatch(STACK_TRACE);
    expect(code).toBe(1);
    const stopped = (await liveTsigNames()).length;
    expect(stopped).toBeGreaterThan(0);
    expect(stopped).toBeLessThan(KEYS);

    // The lock is free (plan would say "locked" otherwise) and what was done is recorded: only the rest is planned.
    const plan = await runCli(['plan', '--format', 'json'], { cwd: world.ws.dir, env: world.ws.env });
    expect(plan.code, plan.stderr).toBe(0);
    const steps = (JSON.parse(plan.stdout) as { steps: { action: string }[] }).steps;
    expect(steps.filter((s) => s.action === 'create')).toHaveLength(KEYS - stopped);

    const rest = await world.cli('apply', '--auto-approve');
    expect(rest.code, rest.stderr).toBe(0);
    const names = await liveTsigNames();
    expect(names).toHaveLength(KEYS);
    expect(new Set(names).size).toBe(KEYS);
    expect((await world.cli('plan', '--detailed-exitcode')).code).toBe(0);
  });
});
