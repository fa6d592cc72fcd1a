/**
 * How an ApplyResult is told (src/cli/render-apply-result.ts): text summary per outcome, and the `--format json`
 * document. Here beside the executor whose result it renders.
 */
import { describe, expect, test } from 'vitest';
import { applyResultJson, renderApplyResult } from '../../../src/cli/render-apply-result.js';
import { CfgitopsError } from '../../../src/errors.js';
import type { ApplyResult, StepOutcome } from '../../../src/executor/apply-result.js';
import { Secret } from '../../../src/secret.js';
import { SinkError } from '../../../src/secrets/sink-error.js';

const ADDRESS = { kind: 'AccountToken' as const, account: '0123456789abcdef0123456789abcdef', name: 'ci' };

function result(steps: StepOutcome[], extra: Partial<ApplyResult> = {}): ApplyResult {
  const counts = { total: steps.length, succeeded: 0, unchanged: 0, failed: 0, skipped: 0 };
  for (const s of steps) counts[s.status]++;
  return {
    steps,
    undelivered: [],
    counts,
    ok: counts.failed === 0 && counts.skipped === 0,
    halted: false,
    ...extra,
  };
}

const noop: StepOutcome = { stepId: 'no-op:x', action: 'no-op', address: ADDRESS, status: 'unchanged' };
const created: StepOutcome = { stepId: 'create:x', action: 'create', address: ADDRESS, status: 'succeeded' };

describe('renderApplyResult summary', () => {
  test.each<[string, ApplyResult, { recorded: boolean } | undefined, RegExp, RegExp | undefined]>([
    ['a config-only apply', result([noop]), { recorded: true }, /configuration was recorded/, /0 change/],
    ['changes and a config', result([created]), { recorded: true }, /1 change.*configuration was recorded/, undefined],
    ['changes only', result([created]), undefined, /1 change/, /configuration/],
  ])('GIVEN %s WHEN rendered THEN the summary says what happened', (_what, r, config, says, never) => {
    const text = renderApplyResult(r, config ? { config } : {});
    expect(text).toMatch(says);
    if (never) expect(text).not.toMatch(never);
  });
});

describe('renderApplyResult undelivered values', () => {
  const sinkError = new SinkError('E_SINK_WRITE', 'vault', 'ci', 'exec ./fail.sh (key ci)', 'exited with status 1');
  const undelivered = {
    address: ADDRESS,
    tokenId: 'tok1',
    sink: { sink: 'vault', key: 'ci' },
    sinkDescription: 'exec ./fail.sh (key ci)',
  };

  test('GIVEN a SinkError WHEN built THEN its message names the sink once and its reason alone is kept', () => {
    expect(sinkError.message.split('vault')).toHaveLength(2);
    expect(sinkError.reason).toBe('exited with status 1');
  });

  test('GIVEN a step that failed with E_VALUE_UNDELIVERED WHEN rendered THEN no second line repeats it', () => {
    const failed: StepOutcome = {
      ...created,
      status: 'failed',
      error: new CfgitopsError('E_VALUE_UNDELIVERED', 'the value … could not be written to sink "vault" (…)'),
    };
    const text = renderApplyResult(result([failed], { undelivered: [undelivered] }));
    expect(text.split('exec ./fail.sh')).toHaveLength(1);
    expect(text).not.toMatch(/^! /m);
  });

  test('GIVEN an undelivered value no failed step explains WHEN rendered THEN one ! line names it', () => {
    const text = renderApplyResult(result([created], { undelivered: [undelivered], ok: false }));
    expect(text.match(/^! .*exec \.\/fail\.sh/gm)).toHaveLength(1);
  });
});

describe('applyResultJson', () => {
  test('GIVEN a failed apply with an undelivered value WHEN rendered THEN outcomes, counts and undelivered, never a secret', () => {
    const secret = new Secret('cfgitops-test-secret-value-0123456789');
    const failed: StepOutcome = {
      ...created,
      status: 'failed',
      error: new CfgitopsError('E_VALUE_UNDELIVERED', `could not deliver ${String(secret)}`, { hint: 'apply again' }),
    };
    const doc = applyResultJson(
      'applied',
      'the emulator',
      result([failed, noop], {
        undelivered: [
          { address: ADDRESS, tokenId: 'tok1', sink: { sink: 'vault', key: 'ci' }, sinkDescription: 'exec x' },
        ],
      }),
      { configRecorded: false, interrupted: 'SIGTERM' },
    );
    expect(doc).toMatchObject({
      outcome: 'applied',
      ok: false,
      interrupted: 'SIGTERM',
      counts: { total: 2, failed: 1, unchanged: 1 },
      steps: [
        { id: 'create:x', status: 'failed', error: { code: 'E_VALUE_UNDELIVERED', hint: 'apply again' } },
        { id: 'no-op:x', status: 'unchanged' },
      ],
      undelivered: [{ tokenId: 'tok1', sink: 'vault', key: 'ci', where: 'exec x' }],
      configRecorded: false,
    });
    expect(JSON.stringify(doc)).not.toContain(secret.reveal());
  });

  test.each<['no-changes' | 'declined', boolean]>([
    ['no-changes', true],
    ['declined', false],
  ])('GIVEN outcome %s WHEN rendered THEN ok is %s and there are no steps', (outcome, ok) => {
    expect(applyResultJson(outcome, 't', undefined)).toMatchObject({ outcome, ok, steps: [], undelivered: [] });
  });
});
