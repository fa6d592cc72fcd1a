import { describe, expect, test } from 'vitest';
import { PathLocks } from '../../../src/secrets/path-locks.js';

describe('PathLocks', () => {
  test('GIVEN runs on one path WHEN started together THEN they never overlap and keep their order, even after a failure', async () => {
    const locks = new PathLocks();
    const events: string[] = [];
    let inside = 0;
    const task =
      (id: number, fail = false) =>
      async () => {
        inside++;
        expect(inside).toBe(1);
        events.push(`start ${id}`);
        await Promise.resolve();
        await Promise.resolve();
        events.push(`end ${id}`);
        inside--;
        if (fail) throw new Error(`task ${id}`);
        return id;
      };
    const results = await Promise.allSettled([
      locks.run('/a', task(1)),
      locks.run('/a', task(2, true)),
      locks.run('/a', task(3)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  test('GIVEN runs on different paths WHEN started together THEN they interleave', async () => {
    const locks = new PathLocks();
    const events: string[] = [];
    const task = (id: string) => async () => {
      events.push(`start ${id}`);
      await Promise.resolve();
      events.push(`end ${id}`);
    };
    await Promise.all([locks.run('/a', task('a')), locks.run('/b', task('b'))]);
    expect(events.slice(0, 2)).toEqual(['start a', 'start b']);
  });
});
