/**
 * Crash trials: `cfgitops apply` (the built CLI, a real child process) is SIGKILLed at seeded random moments while it
 * talks to the emulator, one or more times in a row (up to three in the long run), then applied again to convergence. After every trial: live
 * equals desired exactly once, no orphan, every sink value is its token's current value, state has no pending
 * intent, a second plan is empty — and nothing any run printed or wrote holds a secret. Every trial kills at least
 * one run mid-run whatever the seed (a fallback kill after the first answer when the aimed ones came too late).
 * CI: 50 trials. CFGITOPS_EVIDENCE=long: 200; CFGITOPS_CRASH_TRIALS=N: N. Replay with CFGITOPS_EVIDENCE_SEED.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI_BIN, runCli, spawnCli } from '../support/cli.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { assertNoSecretIn } from '../support/leaks.js';
import { createWorkspace, EXAMPLE_ACCOUNT, liveResources, type Workspace } from '../support/workspace.js';
import { convergenceProblems, EXAMPLE_DESIRED, type Desired } from './support/converged.js';
import { evidenceDice, LONG, sized } from './support/evidence-seed.js';

// CFGITOPS_CRASH_TRIALS: another count (the seed loop, scripts/evidence-seeds.sh, runs a few per seed).
const TRIALS = Number(process.env['CFGITOPS_CRASH_TRIALS'] ?? '') || sized(50, 200);
const LATENCY_MS = 8;
const dice = evidenceDice('crash-trials');

let emulator: TestEmulator;
/** API answers sent so far, and who waits for the n-th. */
let answered = 0;
let waiters: { n: number; resolve: () => void }[] = [];

function afterAnswers(n: number): Promise<void> {
  if (answered >= n) return Promise.resolve();
  return new Promise((resolve) => waiters.push({ n, resolve }));
}

beforeAll(async () => {
  if (!existsSync(CLI_BIN.replace(/bin[\\/]cfgitops\.js$/, 'dist/cli/main.js'))) {
    throw new Error('crash trials run the built CLI: run `npm run build` first (`npm test` does)');
  }
  emulator = await startTestEmulator({
    rateLimit: false,
    latencyMs: LATENCY_MS,
    seed: dice.seed,
    onResponse: () => {
      answered++;
      waiters = waiters.filter((w) => (w.n <= answered ? (w.resolve(), false) : true));
    },
  });
});
afterAll(async () => {
  await emulator.close();
});

/** API answers in an uninterrupted apply of the example: kills are aimed anywhere inside that span. */
async function calibrate(ws: Workspace): Promise<number> {
  await emulator.control('POST', '/reset');
  answered = 0;
  const run = spawnCli(['apply', '--auto-approve'], { cwd: ws.dir, env: ws.env });
  const { code } = await run.exited;
  expect(code, run.stderr()).toBe(0);
  return answered;
}

/**
 * Applies the example cleanly, then edits it so the next apply updates a peer and a token in place, prunes a peer and
 * replaces a token revoked out of band (delete + create + sink write). Returns what is desired afterwards.
 */
async function prepareChanges(ws: Workspace, outputs: string[]): Promise<Desired> {
  const first = await runCli(['apply', '--auto-approve'], { cwd: ws.dir, env: ws.env });
  outputs.push(first.stdout, first.stderr);
  expect(first.code, first.stderr).toBe(0);
  const peers = await ws.read('desired-state/peers.yaml');
  await ws.write('desired-state/peers.yaml', peers.split('---')[0]!.replace('192.0.2.53', '192.0.2.99'));
  const tokens = await ws.read('desired-state/tokens.yaml');
  await ws.write('desired-state/tokens.yaml', tokens.replace('        - name: DNS Read\n', ''));
  const live = await liveResources(emulator);
  const logs = live.tokens.find((t) => t.name === 'cfgitops logs reader')!;
  const revoked = await emulator.control('PUT', `/accounts/${EXAMPLE_ACCOUNT}/tokens/${logs.id}/status`, {
    status: 'revoked (exposed)',
  });
  expect(revoked.status).toBe(200);
  return { ...EXAMPLE_DESIRED, peers: ['ns1.example.com'] };
}

describe(`GIVEN the example manifests and ${TRIALS} seeded crash trials (${dice.label})`, () => {
  test(
    'WHEN apply is SIGKILLed at random moments and then rerun THEN it converges exactly once with current values and no leak',
    async () => {
      const cal = await createWorkspace(emulator);
      const span = await calibrate(cal);
      await cal.cleanup();
      expect(span).toBeGreaterThan(5);

      const failures: string[] = [];
      const stats = { kills: 0, killedMidRun: 0, fallbackKills: 0, changeTrials: 0 };
      for (let trial = 0; trial < TRIALS; trial++) {
        await emulator.control('POST', '/reset');
        answered = 0;
        waiters = [];
        const ws = await createWorkspace(emulator);
        const outputs: string[] = [];
        try {
          // A third of the trials crash a run of changes instead: in-place updates, a prune and a token replacement.
          const changing = dice.random() < 0.33;
          const desired = changing ? await prepareChanges(ws, outputs) : EXAMPLE_DESIRED;
          const args = changing ? ['apply', '--auto-approve', '--prune'] : ['apply', '--auto-approve'];
          if (changing) stats.changeTrials++;
          // CI keeps most trials to one kill (each child costs ~0.7 s of CPU just to start); the long run stacks up to 3.
          const kills = LONG ? dice.int(1, 3) : dice.random() < 0.2 ? 2 : 1;
          let killedThisTrial = 0;
          // A random aim can land after the run's last answer (a rerun needs fewer calls than the first run), so
          // the run ends before the kill. No trial may pass without a crash: when none of its aimed kills landed,
          // it kills again right after the next run's first answer (up to 3 times), then checks convergence.
          for (let k = 0; k < kills || (killedThisTrial === 0 && k < kills + 3); k++) {
            const start = answered;
            const fallback = k >= kills;
            const aim = start + (fallback ? 1 : dice.int(1, span));
            // A moment inside the run: after the aim-th answer, plus up to two request latencies (mid-request too).
            const extraMs = fallback ? 0 : dice.int(0, LATENCY_MS * 2);
            const run = spawnCli(args, { cwd: ws.dir, env: ws.env });
            let finished = false;
            void run.exited.then(() => (finished = true));
            await Promise.race([afterAnswers(aim), run.exited]);
            if (!finished) {
              await new Promise((r) => setTimeout(r, extraMs));
              run.child.kill('SIGKILL');
            }
            const exit = await run.exited;
            stats.kills++;
            if (exit.signal === 'SIGKILL') {
              stats.killedMidRun++;
              killedThisTrial++;
            }
            if (fallback) stats.fallbackKills++;
            outputs.push(run.stdout(), run.stderr());
          }
          if (killedThisTrial === 0) failures.push(`trial ${trial}: no run was killed mid-run (every run ended first)`);
          let converged = false;
          for (let attempt = 0; attempt < 3 && !converged; attempt++) {
            const r = await runCli(args, { cwd: ws.dir, env: ws.env });
            outputs.push(r.stdout, r.stderr);
            converged = r.code === 0;
            if (!converged)
              failures.push(
                `trial ${trial}: recovery apply #${attempt + 1} exited ${r.code}: ${r.stderr.slice(0, 400)}`,
              );
          }
          const problems = await convergenceProblems(emulator, ws, desired);
          failures.push(...problems.map((p) => `trial ${trial}: ${p}`));
          // The convergence check above is the contract; an empty plan is the user's view of it (every 5th in CI).
          if (LONG || trial % 5 === 0) {
            const again = await runCli(['plan', '--detailed-exitcode'], { cwd: ws.dir, env: ws.env });
            outputs.push(again.stdout, again.stderr);
            if (again.code !== 0) failures.push(`trial ${trial}: plan after convergence exited ${again.code}`);
          }
          outputs.push(await ws.read('.cfgitops/state.json').catch(() => ''));
          outputs.push(await ws.read('.cfgitops/state.json.wal').catch(() => ''));
          await assertNoSecretIn(emulator, outputs, ws.env);
        } finally {
          await ws.cleanup();
        }
        if (failures.length > 0) break;
      }
      process.stderr.write(
        `[evidence] crash trials: ${TRIALS} trials, ${stats.kills} runs, ${stats.killedMidRun} killed mid-run (${stats.fallbackKills} by the no-crash fallback), ${stats.changeTrials} trials crashed a change run\n`,
      );
      expect(failures, dice.label).toEqual([]);
      // Every trial crashed at least once (checked per trial above), so the suite can never pass without killing.
      expect(stats.killedMidRun).toBeGreaterThanOrEqual(TRIALS);
      emulator.assertNoContractViolations();
    },
    LONG ? 3_600_000 : 600_000,
  );
});
