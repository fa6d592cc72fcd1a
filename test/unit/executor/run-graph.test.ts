import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DependencyCycleError, runGraph, type GraphNode, type NodeOutcome } from '../../../src/executor/run-graph.js';

/** Lets a few microtask turns pass, so tasks overlap without timers. */
async function yieldTurns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

interface Trace {
  started: string[];
  finished: string[];
  maxInFlight: number;
}

async function run(
  nodes: GraphNode[],
  options: { concurrency?: number; fail?: Set<string>; turns?: (id: string) => number; haltAfter?: number } = {},
): Promise<{ outcomes: Map<string, NodeOutcome>; trace: Trace }> {
  const trace: Trace = { started: [], finished: [], maxInFlight: 0 };
  let inFlight = 0;
  const outcomes = await runGraph(nodes, {
    concurrency: options.concurrency ?? 4,
    halted: () => options.haltAfter !== undefined && trace.started.length >= options.haltAfter,
    run: async (node) => {
      trace.started.push(node.id);
      inFlight++;
      trace.maxInFlight = Math.max(trace.maxInFlight, inFlight);
      await yieldTurns(options.turns?.(node.id) ?? 3);
      inFlight--;
      trace.finished.push(node.id);
      if (options.fail?.has(node.id)) throw new Error(`boom ${node.id}`);
    },
  });
  return { outcomes, trace };
}

const n = (id: string, ...dependsOn: string[]): GraphNode => ({ id, dependsOn });

describe('runGraph', () => {
  test('GIVEN a chain WHEN run THEN each node starts only after its dependency finished', async () => {
    const { trace, outcomes } = await run([n('c', 'b'), n('b', 'a'), n('a')]);
    expect(trace.started).toEqual(['a', 'b', 'c']);
    expect(trace.finished).toEqual(['a', 'b', 'c']);
    expect([...outcomes.values()].every((o) => o.status === 'succeeded')).toBe(true);
  });

  test.each([1, 2, 3, 8])(
    'GIVEN 10 independent nodes and concurrency %i THEN never more run at once',
    async (limit) => {
      const nodes = Array.from({ length: 10 }, (_, i) => n(`s${i}`));
      const { trace } = await run(nodes, { concurrency: limit, turns: (id) => 1 + (Number(id.slice(1)) % 4) });
      expect(trace.maxInFlight).toBe(Math.min(limit, 10));
      expect(trace.started).toHaveLength(10);
    },
  );

  test('GIVEN a failing node WHEN run THEN only its dependents are skipped and the rest finishes', async () => {
    const { outcomes } = await run([n('tsig'), n('peer', 'tsig'), n('peer2', 'peer'), n('token')], {
      fail: new Set(['tsig']),
    });
    expect(outcomes.get('tsig')?.status).toBe('failed');
    expect(outcomes.get('peer')).toEqual({ status: 'skipped', reason: 'dependency-failed', blockedBy: ['tsig'] });
    expect(outcomes.get('peer2')).toEqual({ status: 'skipped', reason: 'dependency-failed', blockedBy: ['peer'] });
    expect(outcomes.get('token')).toEqual({ status: 'succeeded' });
  });

  test('GIVEN the run is halted after the first start THEN running work finishes and nothing else starts', async () => {
    const { outcomes, trace } = await run([n('a'), n('b'), n('c', 'a')], { concurrency: 1, haltAfter: 1 });
    expect(trace.started).toEqual(['a']);
    expect(outcomes.get('a')).toEqual({ status: 'succeeded' });
    expect(outcomes.get('b')).toMatchObject({ status: 'skipped', reason: 'halted' });
    expect(outcomes.get('c')).toMatchObject({ status: 'skipped', reason: 'halted' });
  });

  test('GIVEN a dependency on an id outside the graph THEN it counts as satisfied', async () => {
    const { outcomes } = await run([n('a', 'not-in-this-run')]);
    expect(outcomes.get('a')).toEqual({ status: 'succeeded' });
  });

  test('GIVEN a dependency cycle THEN its nodes fail instead of hanging', async () => {
    const { outcomes, trace } = await run([n('a', 'b'), n('b', 'a'), n('c')]);
    expect(trace.started).toEqual(['c']);
    const a = outcomes.get('a');
    expect(a?.status).toBe('failed');
    expect(a?.status === 'failed' && a.error).toBeInstanceOf(DependencyCycleError);
  });

  test('GIVEN an empty graph THEN it resolves at once', async () => {
    const { outcomes } = await run([]);
    expect(outcomes.size).toBe(0);
  });

  // Random DAGs (edges only point to earlier nodes), random failures, random concurrency.
  const dagArb = fc.integer({ min: 1, max: 14 }).chain((size) =>
    fc.record({
      deps: fc.tuple(
        ...Array.from({ length: size }, (_, i) =>
          fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, i - 1) }), { maxLength: i === 0 ? 0 : 3 }),
        ),
      ),
      failing: fc.uniqueArray(fc.integer({ min: 0, max: size - 1 })),
      concurrency: fc.integer({ min: 1, max: 5 }),
      turns: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: size, maxLength: size }),
    }),
  );

  test('PROPERTY: every node settles; a node runs iff all its dependencies succeeded; the bound holds', async () => {
    await fc.assert(
      fc.asyncProperty(dagArb, async ({ deps, failing, concurrency, turns }) => {
        const nodes = deps.map((d, i) => n(`n${i}`, ...d.map((j) => `n${j}`)));
        const fail = new Set(failing.map((i) => `n${i}`));
        const { outcomes, trace } = await run(nodes, {
          concurrency,
          fail,
          turns: (id) => turns[Number(id.slice(1))] ?? 0,
        });
        expect(outcomes.size).toBe(nodes.length);
        expect(trace.maxInFlight).toBeLessThanOrEqual(concurrency);
        for (const node of nodes) {
          const o = outcomes.get(node.id)!;
          const depsOk = node.dependsOn.every((d) => outcomes.get(d)?.status === 'succeeded');
          expect(trace.started.includes(node.id)).toBe(depsOk);
          if (depsOk) expect(o.status).toBe(fail.has(node.id) ? 'failed' : 'succeeded');
          else expect(o).toMatchObject({ status: 'skipped', reason: 'dependency-failed' });
          for (const d of node.dependsOn) {
            if (trace.started.includes(node.id)) {
              expect(trace.finished.indexOf(d)).toBeGreaterThanOrEqual(0);
              expect(trace.started.indexOf(node.id)).toBeGreaterThan(trace.started.indexOf(d));
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
