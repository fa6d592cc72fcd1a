/**
 * Seeds and sizes for the evidence suites. Every randomised suite draws from one seeded PRNG; the seed is printed
 * with every failure and can be pinned with `CFGITOPS_EVIDENCE_SEED=N` to replay a run. `CFGITOPS_EVIDENCE=long`
 * switches the suites from their CI size to the long runs quoted in docs/evidence.md.
 */
import { seededRandom, type Random } from '../../../src/emulator/random.js';

export const LONG = process.env['CFGITOPS_EVIDENCE'] === 'long';

/** `ci` in `npm test`, `long` under CFGITOPS_EVIDENCE=long. */
export function sized(ci: number, long: number): number {
  return LONG ? long : ci;
}

export interface Dice {
  seed: number;
  random: Random;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** `seed=N` plus what to set to replay it: prefix for every assertion message. */
  label: string;
}

export function evidenceDice(suite: string): Dice {
  const pinned = process.env['CFGITOPS_EVIDENCE_SEED'];
  const seed =
    pinned !== undefined && pinned !== '' ? Number.parseInt(pinned, 10) >>> 0 : (Date.now() ^ (process.pid << 8)) >>> 0;
  const random = seededRandom(seed);
  const int = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const label = `${suite} seed=${seed} (replay: CFGITOPS_EVIDENCE_SEED=${seed})`;
  // Printed up front too, so a run killed by the test timeout still says how to replay it.
  process.stderr.write(`[evidence] ${label}\n`);
  return { seed, random, int, pick: (items) => items[int(0, items.length - 1)]!, label };
}
