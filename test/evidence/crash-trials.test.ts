/**
 * Crash trials: `cfgitops apply` (the built CLI, a real child process) is SIGKILLed at seeded random moments while it
 * talks to the emulator, one or more times in a row (up to three in the long run), then applied again to convergence. After every trial: live
 * equals desired exactly once, no orphan, every sink value is its token's current value, state has no pending
 * intent, a second plan is empty — and nothing any run printed or wrote holds a secret. Every trial kills at least
 * one run mid-run whatever the seed (a fallback kill after the first answer when the aimed ones came too late).
 * CI: 50 trials. CFGITOPS_EVIDENCE=long: 200; CFGITOPS_CRASH_TRIALS=N: N. Replay with CFGITOPS_EVIDENCE_SEED.
 *
 * Then the same machinery (support/crash-runs.ts) on overlap rotations (issue 14): `rotate --strategy overlap` killed
 * at random moments, `apply` to convergence, and the rotation invariants (support/converged.ts rotationProblems): a
 * working value in every sink, at most one bounded predecessor per token within its grace, no duplicate successor,
 * no orphan, no leak. CI: 50 trials; CFGITOPS_ROTATION_CRASH_TRIALS=N: N.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI_BIN, runCli, spawnCli } from '../support/cli.js';
import { startTestEmulator, type TestEmulator } from '../support/emulator.js';
import { assertNoSecretIn } from '../support/leaks.js';
import {
  createExampleZone,
  createWorkspace,
  EXAMPLE_ACCOUNT,
  liveResources,
  type Workspace,
} from '../support/workspace.js';
import { convergenceProblems, EXAMPLE_DESIRED, rotationProblems, type Desired } from './support/converged.js';
import { answerCounter, killedRuns } from './support/crash-runs.js';
import { evidenceDice, LONG, sized } from './support/evidence-seed.js';

// CFGITOPS_CRASH_TRIALS: another count (the seed loop, scripts/evidence-seeds.sh, runs a few per seed).
const TRIALS = Number(process.env['CFGITOPS_CRASH_TRIALS'] ?? '') || sized(50, 200);
const LATENCY_MS = 8;
const dice = evidenceDice('crash-trials');

let emulator: TestEmulator;
/** API answers sent so far, and who waits for the n-th. */
const counter = answerCounter();

beforeAll(async () => {
  if (!existsSync(CLI_BIN.replace(/bin[\\/]cfgitops\.js$/, 'dist/cli/main.js'))) {
    throw new Error('crash trials run the built CLI: run `npm run build` first (`npm test` does)');
  }
  emulator = await startTestEmulator({
    rateLimit: false,
    latencyMs: LATENCY_MS,
    seed: dice.seed,
    onResponse: () => {
      counter.onResponse();
    },
  });
});
afterAll(async () => {
  await emulator.close();
});

/** API answers in an uninterrupted apply of the example: kills are aimed anywhere inside that span. */
async function calibrate(ws: Workspace): Promise<number> {
  await emulator.control('POST', '/reset');
  await createExampleZone(emulator);
  counter.reset();
  const run = spawnCli(['apply', '--auto-approve'], { cwd: ws.dir, env: ws.env });
  const { code } = await run.exited;
  expect(code, run.stderr()).toBe(0);
  return counter.answered;
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
  // The pruned peer leaves the example's zone link in the same change (the link is updated before the delete).
  const links = await ws.read('desired-state/zone-links.yaml');
  await ws.write('desired-state/zone-links.yaml', links.replace('    - ns2-primary\n', ''));
  const tokens = await ws.read('desired-state/tokens.yaml');
  await ws.write('desired-state/tokens.yaml', tokens.replace('        - name: DNS Read\n', ''));
  const live = await liveResources(emulator);
  const logs = live.tokens.find((t) => t.name === 'cfgitops logs reader')!;
  const revoked = await emulator.control('PUT', `/accounts/${EXAMPLE_ACCOUNT}/tokens/${logs.id}/status`, {
    status: 'revoked (exposed)',
  });
  expect(revoked.status).toBe(200);
  return {
    ...EXAMPLE_DESIRED,
    peers: ['ns1.example.com'],
    incoming: [{ zone: 'example.com', peers: ['ns1.example.com'] }],
  };
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
        counter.reset();
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
          const killedThisTrial = await killedRuns({
            args,
            ws,
            counter,
            dice,
            span,
            kills,
            latencyMs: LATENCY_MS,
            stats,
            outputs,
          });
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

// Overlap rotations (issue 14): CFGITOPS_ROTATION_CRASH_TRIALS=N for another count.
const ROTATION_TRIALS = Number(process.env['CFGITOPS_ROTATION_CRASH_TRIALS'] ?? '') || sized(50, 200);
// A grace of a second, so the trials' predecessors expire in real time: the CLI's clock and the emulator's agree
// (advancing only the emulator's would make every later predecessor expired the moment it is bounded).
const GRACE_MS = 1000;

describe(`GIVEN the applied example and ${ROTATION_TRIALS} seeded crash trials of overlap rotations (${dice.label})`, () => {
  test(
    'WHEN rotate is SIGKILLed at random moments and apply then converges THEN every sink holds a working value, at most one bounded predecessor per token, no duplicate successor, no orphan, no leak',
    async () => {
      await emulator.control('POST', '/reset');
      counter.reset();
      // One workspace for the whole chain: each trial rotates what the previous one left (its predecessors have
      // expired by then, so the rotation deletes them first — crash points too).
      const ws = await createWorkspace(emulator);
      const config = await ws.read('desired-state/cfgitops.yaml');
      await ws.write(
        'desired-state/cfgitops.yaml',
        config.replace('spec:\n', 'spec:\n  tokens:\n    rotation: {strategy: overlap, grace: 1s}\n'),
      );
      const outputs: string[] = [];
      const failures: string[] = [];
      const stats = { kills: 0, killedMidRun: 0, fallbackKills: 0, rotated: 0, resumed: 0 };
      const args = ['rotate', '--strategy', 'overlap'];
      try {
        const first = await runCli(['apply', '--auto-approve'], { cwd: ws.dir, env: ws.env });
        expect(first.code, first.stderr).toBe(0);
        const before = counter.answered;
        const calibration = spawnCli(args, { cwd: ws.dir, env: ws.env });
        expect((await calibration.exited).code, calibration.stderr()).toBe(0);
        const span = counter.answered - before;
        expect(span).toBeGreaterThan(10);
        outputs.push(calibration.stdout(), calibration.stderr());
        for (let trial = 0; trial < ROTATION_TRIALS; trial++) {
          await predecessorsExpired(ws);
          const generations = await generationsOf(ws);
          const kills = LONG ? dice.int(1, 3) : dice.random() < 0.2 ? 2 : 1;
          const runsBefore = stats.kills;
          const killed = await killedRuns({
            args,
            ws,
            counter,
            dice,
            span,
            kills,
            latencyMs: LATENCY_MS,
            stats,
            outputs,
          });
          if (killed === 0) failures.push(`rotation trial ${trial}: no run was killed mid-run`);
          let converged = false;
          for (let attempt = 0; attempt < 3 && !converged; attempt++) {
            const r = await runCli(['apply', '--auto-approve'], { cwd: ws.dir, env: ws.env });
            outputs.push(r.stdout, r.stderr);
            converged = r.code === 0;
            if (r.stdout.includes('finish the overlap rotation')) stats.resumed++;
            if (!converged)
              failures.push(`rotation trial ${trial}: recovery apply exited ${r.code}: ${r.stderr.slice(0, 400)}`);
          }
          const problems = await rotationProblems(emulator, ws, EXAMPLE_DESIRED, GRACE_MS);
          failures.push(...problems.map((p) => `rotation trial ${trial}: ${p}`));
          const after = await generationsOf(ws);
          // Each rotate run moves a token on by at most one generation (a grace of 1 s can end between two runs, so a
          // second run may rotate again); the recovery apply only finishes what a run started.
          const runs = stats.kills - runsBefore;
          for (const [key, g] of Object.entries(after)) {
            const from = generations[key] ?? 1;
            if (g > from + runs)
              failures.push(`rotation trial ${trial}: ${key} went from generation ${from} to ${g} in ${runs} run(s)`);
            stats.rotated += g - from;
          }
          if (failures.length > 0) break;
        }
        outputs.push(await ws.read('.cfgitops/state.json').catch(() => ''));
        outputs.push(await ws.read('.cfgitops/state.json.wal').catch(() => ''));
        await assertNoSecretIn(emulator, outputs, ws.env);
      } finally {
        await ws.cleanup();
      }
      process.stderr.write(
        `[evidence] rotation crash trials: ${ROTATION_TRIALS} trials, ${stats.kills} runs, ${stats.killedMidRun} killed mid-run (${stats.fallbackKills} by the no-crash fallback), ${stats.resumed} recovery applies finished an interrupted overlap rotation, ${stats.rotated} token rotations completed\n`,
      );
      expect(failures, dice.label).toEqual([]);
      expect(stats.killedMidRun).toBeGreaterThanOrEqual(ROTATION_TRIALS);
      emulator.assertNoContractViolations();
    },
    LONG ? 3_600_000 : 600_000,
  );
});

/** Waits until every recorded predecessor is past its expires_on (at most the grace). */
async function predecessorsExpired(ws: Workspace): Promise<void> {
  const state = (await ws.stateFile()) as unknown as {
    resources: Record<string, { predecessor?: { expires_on?: string } }>;
  };
  const last = Math.max(
    0,
    ...Object.values(state.resources).map((r) => Date.parse(r.predecessor?.expires_on ?? '') || 0),
  );
  const wait = last + 20 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

async function generationsOf(ws: Workspace): Promise<Record<string, number>> {
  const state = (await ws.stateFile()) as unknown as {
    resources: Record<string, { kind: string; generation?: number }>;
  };
  const out: Record<string, number> = {};
  for (const [key, r] of Object.entries(state.resources)) if (r.kind === 'AccountToken') out[key] = r.generation ?? 1;
  return out;
}
