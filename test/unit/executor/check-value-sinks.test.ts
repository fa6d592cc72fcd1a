import { describe, expect, test } from 'vitest';
import { CfgitopsError, CfgitopsErrors } from '../../../src/errors.js';
import { assertValueSinksReady, checkValueSinks, valueSinksOf } from '../../../src/executor/check-value-sinks.js';
import type { PlanStep, StepAction } from '../../../src/planner/plan.js';
import type { ResourceKind } from '../../../src/resources.js';
import type { SecretSink, SecretSinks, SinkCheckResult } from '../../../src/secrets/types.js';

const ACCOUNT = '0123456789abcdef0123456789abcdef';
const SOURCE = { file: 'desired-state/tokens.yaml', line: 3, col: 1 };

function step(action: StepAction, name: string, extra: Partial<PlanStep> & { kind?: ResourceKind } = {}): PlanStep {
  const { kind = 'AccountToken', ...rest } = extra;
  return {
    id: `${action}:${name}`,
    action,
    address: { kind, account: ACCOUNT, name },
    cfName: name,
    reason: 'test',
    diff: [],
    dependsOn: [],
    source: SOURCE,
    ...(kind === 'AccountToken' ? { sink: { sink: 'vault', key: name } } : {}),
    ...rest,
  };
}

/** Sinks whose check answers from a table, counting calls (a check must run once per sink, not per token). */
function sinksWith(results: Record<string, SinkCheckResult | Error>): SecretSinks & { calls: string[] } {
  const calls: string[] = [];
  const make = (name: string): SecretSink => ({
    name,
    type: 'exec',
    describe: (ref) => `${name}#${ref.key}`,
    put: () => Promise.reject(new Error('a readiness check must never put')),
    remove: () => Promise.reject(new Error('a readiness check must never remove')),
    check: () => {
      calls.push(name);
      const r = results[name]!;
      return r instanceof Error ? Promise.reject(r) : Promise.resolve(r);
    },
  });
  return {
    defaultSink: 'vault',
    calls,
    names: () => Object.keys(results),
    get: (name) => {
      if (!(name in results)) throw new CfgitopsError('E_SINK_UNKNOWN', `no sink ${name}`);
      return make(name);
    },
  };
}

describe('valueSinksOf', () => {
  test.each<[string, PlanStep, boolean]>([
    ['a token create', step('create', 'a'), true],
    ['a token replace', step('replace', 'a'), true],
    ['a roll-secret', step('roll-secret', 'a', { rollValue: true }), true],
    ['an adopt that rolls', step('adopt', 'a', { rollValue: true }), true],
    ['an update that rolls', step('update', 'a', { rollValue: true }), true],
    ['an update without a roll', step('update', 'a'), false],
    ['a token delete', step('delete', 'a'), false],
    ['a no-op', step('no-op', 'a'), false],
    ['a peer create', step('create', 'p', { kind: 'SecondaryDnsPeer' }), false],
  ])('GIVEN %s WHEN listing the sinks values are minted into THEN included: %s', (_what, s, minted) => {
    expect([...valueSinksOf({ steps: [s] }).keys()]).toEqual(minted ? ['vault'] : []);
  });
});

describe('checkValueSinks', () => {
  test('GIVEN two tokens into one broken sink and one into a ready sink WHEN checked THEN one finding naming both tokens, each sink checked once', async () => {
    const sinks = sinksWith({
      vault: { ok: false, detail: 'exec vault: not found' },
      file: { ok: true, detail: 'ok' },
    });
    const steps = [
      step('create', 'a'),
      step('roll-secret', 'b', { rollValue: true }),
      step('create', 'c', { sink: { sink: 'file', key: 'c' } }),
    ];
    const found = await checkValueSinks({ steps }, sinks);
    expect(found).toEqual([
      {
        sink: 'vault',
        type: 'exec',
        detail: 'exec vault: not found',
        tokens: [steps[0]!.address, steps[1]!.address],
        source: SOURCE,
      },
    ]);
    expect(sinks.calls.sort()).toEqual(['file', 'vault']);
  });

  test.each<[string, SinkCheckResult | Error, number]>([
    ['an advisory finding', { ok: false, detail: 'mode 0644', advisory: true }, 0],
    ['a check that throws', new Error('boom'), 1],
    ['a ready sink', { ok: true, detail: 'ok' }, 0],
  ])('GIVEN %s WHEN checked THEN %i finding(s)', async (_what, result, n) => {
    const found = await checkValueSinks({ steps: [step('create', 'a')] }, sinksWith({ vault: result }));
    expect(found).toHaveLength(n);
  });

  test('GIVEN a plan with no value to mint WHEN checked THEN no sink is checked', async () => {
    const sinks = sinksWith({ vault: { ok: false, detail: 'broken' } });
    expect(await checkValueSinks({ steps: [step('delete', 'a'), step('no-op', 'b')] }, sinks)).toEqual([]);
    expect(sinks.calls).toEqual([]);
  });
});

describe('assertValueSinksReady', () => {
  test('GIVEN one broken sink WHEN asserted THEN E_SINK_NOT_READY at the token manifest', async () => {
    const sinks = sinksWith({ vault: { ok: false, detail: 'not found' } });
    await expect(assertValueSinksReady({ steps: [step('create', 'a')] }, sinks)).rejects.toMatchObject({
      code: 'E_SINK_NOT_READY',
      location: SOURCE,
    });
  });

  test('GIVEN two broken sinks WHEN asserted THEN one E_SINK_NOT_READY per sink', async () => {
    const sinks = sinksWith({ vault: { ok: false, detail: 'x' }, gh: { ok: false, detail: 'y' } });
    const steps = [step('create', 'a'), step('create', 'b', { sink: { sink: 'gh', key: 'b' } })];
    const err = await assertValueSinksReady({ steps }, sinks).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CfgitopsErrors);
    expect((err as CfgitopsErrors).errors.map((e) => e.code)).toEqual(['E_SINK_NOT_READY', 'E_SINK_NOT_READY']);
  });
});
