/**
 * The crash machinery the crash trials share: a count of the emulator's answers (kills are aimed at the n-th), and
 * one trial's killed runs of the built CLI — each SIGKILLed after a seeded random answer within `span`, plus up to
 * two request latencies (mid-request too). No trial may pass without a crash: when none of its aimed kills landed
 * (a rerun needs fewer calls than the first run), it kills again right after the next run's first answer, up to 3
 * times.
 */
import { spawnCli } from '../../support/cli.js';
import type { Workspace } from '../../support/workspace.js';
import type { Dice } from './evidence-seed.js';

export interface AnswerCounter {
  readonly answered: number;
  /** For the emulator's `onResponse`. */
  onResponse(): void;
  reset(): void;
  /** Resolves once `n` answers have been sent in all. */
  after(n: number): Promise<void>;
}

export function answerCounter(): AnswerCounter {
  let answered = 0;
  let waiters: { n: number; resolve: () => void }[] = [];
  return {
    get answered() {
      return answered;
    },
    onResponse() {
      answered++;
      waiters = waiters.filter((w) => (w.n <= answered ? (w.resolve(), false) : true));
    },
    reset() {
      answered = 0;
      waiters = [];
    },
    after(n) {
      if (answered >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
  };
}

export interface CrashStats {
  kills: number;
  killedMidRun: number;
  fallbackKills: number;
}

export interface KilledRuns {
  args: readonly string[];
  ws: Workspace;
  counter: AnswerCounter;
  dice: Dice;
  /** Answers in an uninterrupted run: kills are aimed anywhere inside. */
  span: number;
  /** Aimed kills in this trial. */
  kills: number;
  latencyMs: number;
  stats: CrashStats;
  /** Every run's stdout and stderr are added (for the leak scan). */
  outputs: string[];
}

/** Runs `args` `kills` times (more if no kill landed), killing each; returns how many were killed mid-run. */
export async function killedRuns(o: KilledRuns): Promise<number> {
  let killedThisTrial = 0;
  for (let k = 0; k < o.kills || (killedThisTrial === 0 && k < o.kills + 3); k++) {
    const start = o.counter.answered;
    const fallback = k >= o.kills;
    const aim = start + (fallback ? 1 : o.dice.int(1, o.span));
    const extraMs = fallback ? 0 : o.dice.int(0, o.latencyMs * 2);
    const run = spawnCli(o.args, { cwd: o.ws.dir, env: o.ws.env });
    let finished = false;
    void run.exited.then(() => (finished = true));
    await Promise.race([o.counter.after(aim), run.exited]);
    if (!finished) {
      await new Promise((r) => setTimeout(r, extraMs));
      run.child.kill('SIGKILL');
    }
    const exit = await run.exited;
    o.stats.kills++;
    if (exit.signal === 'SIGKILL') {
      o.stats.killedMidRun++;
      killedThisTrial++;
    }
    if (fallback) o.stats.fallbackKills++;
    o.outputs.push(run.stdout(), run.stderr());
  }
  return killedThisTrial;
}
