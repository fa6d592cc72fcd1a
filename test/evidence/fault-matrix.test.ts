/**
 * Fault matrix: the example applied in-process while the emulator misbehaves — 429 storms with a block period, 20 %
 * 5xx, connection resets, hangs past the client timeout, and commit-then-drop on every create. Each run must converge
 * on its first apply with nothing duplicated and no value lost, its summary must say what was retried, and nothing
 * it printed or wrote may hold a secret. No scenario depends on the seed to be exercised: the random-rate rules fault
 * their first matching request whatever the dice (`first`), the others fire a fixed number of times. Every scenario gets its own emulator (and so its own pacer: pacers are
 * shared per credential and origin).
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { FaultRule } from '../../src/emulator/faults.js';
import { runCli } from '../support/cli.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { assertNoSecretIn } from '../support/leaks.js';
import { createWorkspace, type Workspace } from '../support/workspace.js';
import { convergenceProblems, EXAMPLE_DESIRED } from './support/converged.js';
import { evidenceDice } from './support/evidence-seed.js';
import { tuneApi, type ApiTuning } from './support/fast-config.js';

const dice = evidenceDice('fault-matrix');

interface Scenario {
  name: string;
  faults: FaultRule[];
  rateLimit?: { quota: number; windowSeconds: number; blockSeconds: number };
  tuning?: ApiTuning;
  /** After this many successful API answers to the apply, a neighbour sends quota + 1 requests at once. */
  neighbourBurstsAfter?: number[];
  /** What the summary must report as retried or recovered. */
  retried: RegExp;
  /** Outcome keys in the emulator's request counts that prove the fault fired. */
  fired: string;
}

const SCENARIOS: Scenario[] = [
  {
    // cfgitops paces itself from the Ratelimit headers, so it never trips the limit alone; the storm comes from a
    // neighbour on the same credential (the dashboard, another pipeline) blowing the quota three times mid-run.
    name: '429 storms: a neighbour on the same credential blows the quota (8 / 2 s, block 2 s) three times',
    faults: [],
    rateLimit: { quota: 8, windowSeconds: 2, blockSeconds: 2 },
    tuning: { pacing: { requests: 100, windowSeconds: 1 } },
    neighbourBurstsAfter: [2, 8, 14],
    retried: /\d+ × rate limited \(429\)/,
    fired: '429',
  },
  {
    name: '20 % of answers are 503',
    // `first: 1`: the run's first request always gets the fault, so no seed can make this scenario fault-free.
    faults: [{ kind: 'error', rate: 0.2, status: 503, first: 1 }],
    // A 503 on a POST is an ambiguous create (the client looks the name up); with some seeds every 503 lands on one.
    retried: /\d+ × (server error \(5xx\)|ambiguous create)/,
    fired: '503',
  },
  {
    name: '20 % of connections are reset before the work',
    faults: [{ kind: 'reset', rate: 0.2, first: 1 }],
    retried: /\d+ × (connection lost|ambiguous create)/,
    fired: 'reset',
  },
  {
    name: 'a read and two creates hang past the 1 s timeout',
    faults: [
      { kind: 'hang', method: 'GET', times: 1 },
      { kind: 'hang', method: 'POST', times: 2 },
    ],
    retried: /\d+ × (timeout|ambiguous create)/,
    fired: 'hang',
  },
  {
    name: 'every create commits and then drops the connection',
    faults: [{ kind: 'commit-then-drop', method: 'POST', times: 6 }],
    retried: /6 × create recovered by name/,
    fired: 'commit-then-drop',
  },
];

let emulator: TestEmulator | undefined;
let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  await emulator?.close();
  ws = undefined;
  emulator = undefined;
});

function firedCount(counts: { byOperation: Record<string, Record<string, number>> }, outcome: string): number {
  return Object.values(counts.byOperation).reduce((n, o) => n + (o[outcome] ?? 0), 0);
}

describe(`GIVEN the example manifests and an emulator with faults (${dice.label})`, () => {
  test.each(SCENARIOS)(
    'WHEN applied under "$name" THEN it converges at once, says what it retried, leaks nothing',
    async (s) => {
      let ok = 0;
      const bursts: Promise<unknown>[] = [];
      const started = await startTestEmulator({
        rateLimit: s.rateLimit ?? false,
        seed: dice.seed,
        faults: s.faults,
        onResponse: (answer) => {
          if (answer.status !== 200 || !s.neighbourBurstsAfter?.includes(++ok)) return;
          const n = (s.rateLimit?.quota ?? 0) + 1;
          const path = `/accounts/${started.account}/tokens/permission_groups`;
          bursts.push(Promise.all(Array.from({ length: n }, () => started.api('GET', path))));
        },
      });
      emulator = started;
      ws = await createWorkspace(emulator);
      await tuneApi(ws, s.tuning);

      const r = await runCli(['apply', '--auto-approve'], { cwd: ws.dir, env: ws.env });
      expect(r.code, `${dice.label}\n${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(s.retried);
      await Promise.all(bursts);
      process.stderr.write(`[evidence] ${s.name}: ${/^API retries: .*$/m.exec(r.stdout)?.[0] ?? ''}\n`);

      const counts = (await emulator.control('GET', '/requests')).body as {
        byOperation: Record<string, Record<string, number>>;
      };
      expect(firedCount(counts, s.fired), s.fired).toBeGreaterThan(0);
      expect(await convergenceProblems(emulator, ws, EXAMPLE_DESIRED), dice.label).toEqual([]);

      // The faults stop; the next plan is empty, in every format, and still nothing leaks.
      await emulator.control('PUT', '/faults', { rules: [] });
      const outputs = [r.stdout, r.stderr, await ws.read('.cfgitops/state.json')];
      for (const format of ['text', 'json', 'markdown']) {
        const plan = await runCli(['plan', '--detailed-exitcode', '--format', format], { cwd: ws.dir, env: ws.env });
        expect(plan.code, plan.stderr).toBe(0);
        outputs.push(plan.stdout, plan.stderr);
      }
      await assertNoSecretIn(emulator, outputs, ws.env);
      emulator.assertNoContractViolations();
    },
  );
});
