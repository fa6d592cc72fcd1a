/** Which lists a plan reads: one per kind something desired, recorded or pending needs, and nothing more. */
import { describe, expect, test } from 'vitest';
import { observeNeeds } from '../../../src/executor/observe.js';
import { emptyState } from '../../../src/state/types.js';
import { ACCOUNT, OTHER_ACCOUNT, peer, token, tsig } from '../planner/builders.js';

const kinds = (needs: ReturnType<typeof observeNeeds>) =>
  Object.fromEntries([...needs.kinds].map(([account, set]) => [account, [...set].sort()]));

describe('GIVEN desired resources', () => {
  test('WHEN an account declares only peers (with and without tsig_id) THEN only its peers are listed', () => {
    const needs = observeNeeds([peer('a'), peer('b', { tsig_id: 'f'.repeat(32) })], emptyState('l'));
    expect(kinds(needs)).toEqual({ [ACCOUNT]: ['SecondaryDnsPeer'] });
    expect([...needs.permissionGroups]).toEqual([]);
  });

  test('WHEN a peer names a declared TSIG THEN the TSIG list is read for the TSIG', () => {
    const needs = observeNeeds([tsig('xfr'), peer('a', { tsig: 'xfr' })], emptyState('l'));
    expect(kinds(needs)).toEqual({ [ACCOUNT]: ['SecondaryDnsPeer', 'SecondaryDnsTsig'] });
  });

  test('WHEN tokens are desired and a TSIG is recorded elsewhere THEN tokens, groups and that TSIG list are read', () => {
    const state = emptyState('l');
    state.resources[`SecondaryDnsTsig/${OTHER_ACCOUNT}/old`] = {
      kind: 'SecondaryDnsTsig',
      account: OTHER_ACCOUNT,
      name: 'old',
      id: 'i'.repeat(32),
      cf_name: 'old.example.com.',
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      origin: 'created',
    };
    const needs = observeNeeds([token('ci')], state);
    expect(kinds(needs)).toEqual({ [ACCOUNT]: ['AccountToken'], [OTHER_ACCOUNT]: ['SecondaryDnsTsig'] });
    expect([...needs.permissionGroups]).toEqual([ACCOUNT]);
  });
});
