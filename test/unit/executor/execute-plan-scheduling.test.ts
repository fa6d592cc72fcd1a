import { describe, expect, test } from 'vitest';
import type { ProgressEvent } from '../../../src/executor/apply-result.js';
import { executePlan } from '../../../src/executor/execute-plan.js';
import { silentLogger } from '../../../src/log.js';
import type { PlanStep } from '../../../src/planner/plan.js';
import { ACCOUNT, GatedTsigApi, MemoryLock, noSinks, planOf, tsigSecretsFor, tsigStep } from './fakes.js';
import { CfgitopsError } from '../../../src/errors.js';

const clock = { now: () => Date.parse('2026-03-01T12:00:00Z'), sleep: async () => {} };

function setup(steps: PlanStep[], options: { concurrency?: number; signal?: AbortSignal } = {}) {
  const api = new GatedTsigApi();
  const lock = new MemoryLock();
  const events: ProgressEvent[] = [];
  let ids = 0;
  const go = () =>
    executePlan(planOf(steps), {
      api: api.asApi(),
      lock,
      sinks: noSinks,
      tsigSecrets: tsigSecretsFor(steps),
      clock,
      newId: () => `intent-${ids++}`,
      log: silentLogger(),
      concurrency: options.concurrency ?? 4,
      ...(options.signal ? { signal: options.signal } : {}),
      onProgress: (e) => events.push(e),
    });
  return { api, lock, events, go };
}

describe('executePlan scheduling', () => {
  test.each([1, 2, 4])(
    'GIVEN 7 independent creates and concurrency %i WHEN applied THEN the bound holds, commits never overlap, all recorded',
    async (concurrency) => {
      const steps = Array.from({ length: 7 }, (_, i) => tsigStep(`t${i}`));
      const { api, lock, go } = setup(steps, { concurrency });
      const result = await go();
      expect(result.counts).toEqual({ total: 7, succeeded: 7, unchanged: 0, failed: 0, skipped: 0 });
      expect(result.ok).toBe(true);
      expect(api.maxInFlight).toBe(concurrency);
      expect(Object.keys(lock.doc.resources)).toHaveLength(7);
      expect(lock.doc.pending).toEqual({});
      // Each create: one change set for the intent, one for the id (with the intent removed); change sets of
      // concurrent steps may share a commit (journal.test.ts).
      expect(lock.commits.flat()).toHaveLength(21);
      expect(lock.commits.length).toBeLessThanOrEqual(14);
    },
  );

  test('GIVEN a create the API refuses WHEN applied THEN its dependents are skipped and unrelated steps finish', async () => {
    const steps = [tsigStep('bad'), tsigStep('after-bad', 'create', [tsigStep('bad').id]), tsigStep('ok')];
    const { api, lock, go } = setup(steps);
    api.failFor.set('bad.example.com.', new CfgitopsError('E_API', 'refused'));
    const result = await go();
    expect(result.steps.map((s) => [s.address.name, s.status])).toEqual([
      ['bad', 'failed'],
      ['after-bad', 'skipped'],
      ['ok', 'succeeded'],
    ]);
    expect(result.steps[0]?.error?.code).toBe('E_API');
    expect(result.steps[1]).toMatchObject({ skipReason: 'dependency-failed', blockedBy: [steps[0]!.id] });
    expect(result.ok).toBe(false);
    expect(api.calls).not.toContain('create after-bad.example.com.');
    // A plain CfgitopsError says nothing about whether the POST landed: the intent stays for the next plan.
    expect(Object.values(lock.doc.pending).map((i) => i.name)).toEqual(['bad']);
  });

  test('GIVEN SIGINT while the first step runs WHEN applied THEN it finishes its journal and nothing else starts', async () => {
    const steps = [tsigStep('a'), tsigStep('b'), tsigStep('c')];
    const controller = new AbortController();
    const { api, lock, go } = setup(steps, { concurrency: 1, signal: controller.signal });
    api.onCreate = () => {
      controller.abort();
    };
    const result = await go();
    expect(api.calls).toEqual(['create a.example.com.']);
    expect(result.halted).toBe(true);
    expect(result.steps.map((s) => s.status)).toEqual(['succeeded', 'skipped', 'skipped']);
    expect(result.steps[1]?.skipReason).toBe('halted');
    expect(Object.keys(lock.doc.resources)).toEqual([`SecondaryDnsTsig/${ACCOUNT}/a`]);
    expect(lock.doc.pending).toEqual({});
  });

  test('GIVEN a state write fails WHEN applied THEN the run halts before sending anything it could not record', async () => {
    const steps = [tsigStep('a'), tsigStep('b')];
    const { api, lock, go } = setup(steps, { concurrency: 1 });
    lock.failAt = 1;
    const result = await go();
    expect(result.steps[0]).toMatchObject({ status: 'failed', error: { code: 'E_STATE_IO' } });
    expect(result.steps[1]).toMatchObject({ status: 'skipped', skipReason: 'halted' });
    expect(api.calls).toEqual([]);
  });

  test('GIVEN no-op steps WHEN applied THEN no API call and no commit, reported unchanged and skipped', async () => {
    const steps = [tsigStep('a', 'no-op'), tsigStep('b', 'no-op')];
    const { api, lock, events, go } = setup(steps);
    const result = await go();
    expect(api.calls).toEqual([]);
    expect(lock.commits).toEqual([]);
    expect(result.counts).toMatchObject({ unchanged: 2, succeeded: 0 });
    expect(events.map((e) => e.phase)).toEqual(['skipped', 'skipped']);
  });

  test('GIVEN an unexpected (non-Cfgitops) error carrying a secret WHEN applied THEN it is flagged a bug and scrubbed', async () => {
    const steps = [tsigStep('a')];
    const { api, go } = setup(steps);
    api.failFor.set('a.example.com.', new TypeError('cannot read c2VjcmV0LXRzaWctdmFsdWU='));
    const result = await go();
    const outcome = result.steps[0]!;
    expect(outcome).toMatchObject({ status: 'failed', bug: true, error: { code: 'E_INTERNAL' } });
    expect(outcome.error?.message).not.toContain('c2VjcmV0LXRzaWctdmFsdWU=');
    expect(JSON.stringify(result)).not.toContain('c2VjcmV0LXRzaWctdmFsdWU=');
  });

  test('GIVEN a plan WHEN applied THEN progress reports start then done with a running count', async () => {
    const steps = [tsigStep('a'), tsigStep('b', 'create', [tsigStep('a').id])];
    const { events, go } = setup(steps);
    await go();
    expect(events.map((e) => [e.step.address.name, e.phase, e.done, e.total])).toEqual([
      ['a', 'start', 0, 2],
      ['a', 'done', 1, 2],
      ['b', 'start', 1, 2],
      ['b', 'done', 2, 2],
    ]);
  });

  test('GIVEN a forget and a delete of resources not in state WHEN applied THEN only the DELETE is sent and nothing is committed', async () => {
    const steps = [tsigStep('gone', 'forget'), tsigStep('x', 'delete', ['missing-dep'])];
    steps[1]!.targetId = 'id-x';
    const { api, go, lock } = setup(steps);
    const result = await go();
    expect(result.ok).toBe(true);
    expect(api.calls).toEqual(['delete id-x']);
    expect(lock.commits).toEqual([]);
  });
});
