import { describe, expect, test } from 'vitest';
import { createApp } from '../../../src/app.js';
import type { Clock } from '../../../src/effects.js';
import { estimatedCalls, formatDuration, progressReporter } from '../../../src/cli/progress.js';
import { summarize, type Plan, type PlanStep } from '../../../src/planner/plan.js';

const ACCOUNT = '0123456789abcdef0123456789abcdef';

function step(i: number, kind: PlanStep['address']['kind'] = 'AccountToken'): PlanStep {
  const address = { kind, account: ACCOUNT, name: `t${i}` };
  return { id: `create:${i}`, action: 'create', address, cfName: `t${i}`, reason: 'new', diff: [], dependsOn: [] };
}

function planOf(steps: PlanStep[]): Plan {
  return {
    format_version: 1,
    created_at: '2026-01-01T00:00:00.000Z',
    manifests_digest: 'm',
    config_digest: 'c',
    state: { lineage: 'l', serial: 0 },
    steps,
    summary: summarize(steps),
    warnings: [],
  };
}

function harness() {
  let now = 0;
  const clock: Clock = { now: () => now, sleep: () => Promise.resolve() };
  const err: string[] = [];
  const app = createApp({
    env: {},
    cwd: '/',
    clock,
    stdout: { write: () => true },
    stderr: { write: (s: string) => err.push(s) },
    logDestination: { write: () => true },
  });
  return { app, err, at: (ms: number) => (now = ms) };
}

describe('progress', () => {
  test('GIVEN a paced run WHEN the first steps finish quickly (burst) THEN the ETA follows the paced rate, not the burst', () => {
    const { app, err, at } = harness();
    const steps = Array.from({ length: 100 }, (_, i) => step(i));
    const progress = progressReporter(app);
    progress.expect(planOf(steps), { requests: 10, windowSeconds: 10 }); // 1 call per second
    progress.onProgress({ step: steps[0]!, phase: 'start', done: 0, total: 100 }); // timing starts with the first step
    at(9_000);
    for (let i = 0; i < 49; i++) progress.onProgress({ step: steps[i]!, phase: 'done', done: i + 1, total: 100 });
    at(10_000); // CI gets a plain line every 10 s
    progress.onProgress({ step: steps[49]!, phase: 'done', done: 50, total: 100 });
    progress.finish();
    // Observed: 50 steps in 10 s → 10 s left; paced: 50 calls at 1/s → 50 s left.
    expect(err.join('')).toContain('apply: 50/100 steps (50%), elapsed 10s, ETA 50s');
  });

  test("GIVEN the pacer's schedule WHEN the remaining calls fit in the window THEN the ETA is the observed rate, not calls ÷ rate", () => {
    const { app, err, at } = harness();
    const steps = Array.from({ length: 100 }, (_, i) => step(i));
    const progress = progressReporter(app);
    const asked: number[] = [];
    // 1200 / 300 s is 4 calls/s as a fixed rate (50 calls left: 12.5 s), but the window has room for them all.
    const scheduleMs = (calls: number) => (asked.push(calls), 0);
    progress.expect(planOf(steps), { requests: 1200, windowSeconds: 300, scheduleMs });
    progress.onProgress({ step: steps[0]!, phase: 'start', done: 0, total: 100 });
    at(9_000);
    for (let i = 0; i < 49; i++) progress.onProgress({ step: steps[i]!, phase: 'done', done: i + 1, total: 100 });
    at(10_000);
    progress.onProgress({ step: steps[49]!, phase: 'done', done: 50, total: 100 });
    progress.finish();
    expect(err.join('')).toContain('apply: 50/100 steps (50%), elapsed 10s, ETA 10s');
    expect(asked.at(-1)).toBe(50); // one call per token create left
  });

  test("GIVEN the pacer's schedule WHEN the window is spent THEN the ETA is when the pacer lets the last call start", () => {
    const { app, err, at } = harness();
    const steps = Array.from({ length: 100 }, (_, i) => step(i));
    const progress = progressReporter(app);
    progress.expect(planOf(steps), { requests: 1200, windowSeconds: 300, scheduleMs: () => 125_000 });
    progress.onProgress({ step: steps[0]!, phase: 'start', done: 0, total: 100 });
    at(10_000);
    progress.onProgress({ step: steps[0]!, phase: 'done', done: 50, total: 100 });
    progress.finish();
    expect(err.join('')).toContain('ETA 2m05s');
  });

  test('GIVEN a slow run WHEN steps take longer than pacing needs THEN the observed rate wins', () => {
    const { app, err, at } = harness();
    const steps = Array.from({ length: 10 }, (_, i) => step(i));
    const progress = progressReporter(app);
    progress.expect(planOf(steps), { requests: 1000, windowSeconds: 300 });
    progress.onProgress({ step: steps[0]!, phase: 'start', done: 0, total: 10 });
    at(20_000);
    progress.onProgress({ step: steps[0]!, phase: 'done', done: 1, total: 10 });
    progress.finish();
    expect(err.join('')).toContain('ETA 3m00s');
  });

  test('GIVEN a long wait before the first step (planning, a person reading the plan) THEN it does not count', () => {
    const { app, err, at } = harness();
    const steps = [step(0), step(1)];
    const progress = progressReporter(app);
    at(60_000);
    progress.onProgress({ step: steps[0]!, phase: 'start', done: 0, total: 2 });
    at(60_500);
    progress.onProgress({ step: steps[0]!, phase: 'done', done: 1, total: 2 });
    progress.onProgress({ step: steps[1]!, phase: 'done', done: 2, total: 2 });
    progress.finish();
    expect(err).toEqual([]);
  });

  test('GIVEN a short run WHEN it ends within a few seconds THEN nothing is printed', () => {
    const { app, err, at } = harness();
    const steps = [step(0)];
    const progress = progressReporter(app);
    at(500);
    progress.onProgress({ step: steps[0]!, phase: 'done', done: 1, total: 1 });
    progress.finish();
    expect(err).toEqual([]);
  });

  test.each([
    [step(0, 'SecondaryDnsPeer'), 2],
    [step(0, 'AccountToken'), 1],
    [{ ...step(0), rollValue: true }, 2],
    [{ ...step(0), action: 'no-op' as const }, 0],
    [{ ...step(0), action: 'replace' as const }, 2],
  ])('estimatedCalls(%o) = %i', (s, calls) => {
    expect(estimatedCalls(s)).toBe(calls);
  });

  test.each([
    [0, '0s'],
    [59_400, '59s'],
    [61_000, '1m01s'],
    [3_725_000, '1h02m'],
  ])('formatDuration(%i) = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
