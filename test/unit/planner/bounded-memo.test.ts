import { describe, expect, test } from 'vitest';
import { boundedMemo } from '../../../src/planner/bounded-memo.js';

describe('boundedMemo', () => {
  test('GIVEN repeated arguments, including one whose answer is undefined WHEN called THEN each is computed once', () => {
    const calls: string[] = [];
    const f = boundedMemo((t) => (calls.push(t), t === 'none' ? undefined : t.length));
    expect([f('abc'), f('abc'), f('none'), f('none'), f('abcd')]).toEqual([3, 3, undefined, undefined, 4]);
    expect(calls).toEqual(['abc', 'none', 'abcd']);
  });

  test('GIVEN more distinct arguments than the limit WHEN called THEN everything is forgotten and computed again', () => {
    const calls: string[] = [];
    const f = boundedMemo((t) => (calls.push(t), t), 2);
    for (const t of ['a', 'b', 'c', 'a']) f(t);
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });
});
