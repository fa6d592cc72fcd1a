import { describe, expect, test } from 'vitest';
import { Journal } from '../../../src/executor/journal.js';
import type { StateChange } from '../../../src/state/types.js';
import { MemoryLock } from './fakes.js';

const intent = (id: string): StateChange => ({
  type: 'put-intent',
  intent: { id, op: 'create', kind: 'AccountToken', account: 'a'.repeat(32), name: id, cf_name: id, started_at: '' },
});
const drop = (id: string): StateChange => ({ type: 'remove-intent', id });

describe('Journal', () => {
  test('GIVEN change sets submitted while a commit is in flight WHEN drained THEN they share the next commit, whole and in order', async () => {
    const lock = new MemoryLock();
    const journal = new Journal(lock);
    const all = [
      journal.commit([intent('a')]),
      journal.commit([intent('b'), intent('c')]),
      journal.commit([drop('a')]),
    ];
    await Promise.all(all);
    expect(lock.commits).toEqual([[intent('a')], [intent('b'), intent('c'), drop('a')]]);
    expect(Object.keys(lock.doc.pending).sort()).toEqual(['b', 'c']);
  });

  test('GIVEN a commit fails THEN its callers and every later one are refused, and the journal says it is broken', async () => {
    const lock = new MemoryLock();
    lock.failAt = 2;
    const journal = new Journal(lock);
    const first = journal.commit([intent('a')]);
    const second = journal.commit([intent('b')]);
    const third = journal.commit([intent('c')]);
    await expect(first).resolves.toBeDefined();
    await expect(second).rejects.toMatchObject({ code: 'E_STATE_IO' });
    await expect(third).rejects.toMatchObject({ code: 'E_STATE_IO' });
    await expect(journal.commit([intent('d')])).rejects.toMatchObject({ code: 'E_STATE_IO' });
    expect(journal.broken?.code).toBe('E_STATE_IO');
    expect(Object.keys(lock.doc.pending)).toEqual(['a']);
  });
});
