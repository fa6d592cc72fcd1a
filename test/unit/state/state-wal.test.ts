import { describe, expect, test } from 'vitest';
import { CfgitopsError } from '../../../src/errors.js';
import { foldWal, parseWal, walRecordLine, type WalRecord } from '../../../src/state/state-wal.js';
import { emptyState, type StateChange } from '../../../src/state/types.js';

const ACCOUNT = '0123456789abcdef0123456789abcdef';

function put(name: string): StateChange {
  const at = '2025-01-01T00:00:00.000Z';
  return {
    type: 'put-resource',
    resource: {
      kind: 'AccountToken',
      account: ACCOUNT,
      name,
      id: `id-${name}`,
      cf_name: name,
      created_at: at,
      updated_at: at,
    },
  };
}

function log(lineage: string, from: number, names: string[]): string {
  return names.map((n, i) => walRecordLine({ lineage, serial: from + i, changes: [put(n)] })).join('');
}

function codeAndLine(f: () => unknown): { code: string; line?: number | undefined } {
  try {
    f();
  } catch (e) {
    if (e instanceof CfgitopsError) return { code: e.code, line: e.location?.line };
    throw e;
  }
  return { code: 'none' };
}

describe('write-ahead log records', () => {
  test('GIVEN records WHEN encoded and parsed THEN they round-trip, one checksummed line each', () => {
    const records: WalRecord[] = [
      { lineage: 'L', serial: 4, changes: [put('a')] },
      { lineage: 'L', serial: 5, changes: [{ type: 'remove-intent', id: 'i' }] },
    ];
    const text = records.map(walRecordLine).join('');
    expect(text.split('\n')).toHaveLength(3);
    expect(text).toMatch(/^[0-9a-f]{8} \{/);
    expect(parseWal(text, 'w')).toEqual({ records, tornTail: false });
  });

  const whole = log('L', 1, ['a', 'b']);
  const third = walRecordLine({ lineage: 'L', serial: 3, changes: [put('c')] });
  test.each([
    ['cut short', third.slice(0, 30)],
    ['cut just before its newline', third.slice(0, -1)],
    ['zeros where the data never reached the disk', '\0'.repeat(40)],
    ['a complete line with a wrong checksum', `00000000${third.slice(8)}`],
    ['an empty line', '\n'],
  ])('GIVEN a last record %s THEN it is a torn tail, ignored', (_name, tail) => {
    const parsed = parseWal(whole + tail, 'w');
    expect(parsed.tornTail).toBe(true);
    expect(parsed.records.map((r) => r.serial)).toEqual([1, 2]);
  });

  test.each([
    ['a damaged record followed by a good one', `${whole.slice(0, 20)}x${whole.slice(21)}${third}`, 1],
    [
      'a record with a valid checksum but no resource',
      `${walRecordLine({ lineage: 'L', serial: 1, changes: [{ type: 'put-resource' } as unknown as StateChange] })}${whole}`,
      1,
    ],
  ])('GIVEN %s THEN the log is corrupt, named by line', (_name, text, line) => {
    expect(codeAndLine(() => parseWal(text, 'w'))).toEqual({ code: 'E_STATE_CORRUPT', line });
  });

  test.each([
    ['a serial skipped', log('L', 1, ['a']) + log('L', 3, ['b'])],
    ['a serial repeated', log('L', 1, ['a']) + log('L', 1, ['b'])],
    ['two lineages', log('L', 1, ['a']) + log('M', 2, ['b'])],
  ])('GIVEN records with %s THEN the log is corrupt', (_name, text) => {
    expect(codeAndLine(() => parseWal(text, 'w')).code).toBe('E_STATE_CORRUPT');
  });
});

describe('folding the log into its document', () => {
  function doc(serial: number, names: string[] = []) {
    const d = { ...emptyState('L'), serial };
    for (const n of names)
      d.resources[`AccountToken/${ACCOUNT}/${n}`] = (put(n) as Extract<StateChange, { type: 'put-resource' }>).resource;
    return d;
  }

  test('GIVEN a document at serial 2 and a log from 1 to 4 THEN records 3 and 4 are applied (1 and 2 were compacted)', () => {
    const d = doc(2, ['a', 'b']);
    expect(foldWal(d, parseWal(log('L', 1, ['a', 'b', 'c', 'd']), 'w'), 'w')).toBe(2);
    expect(d.serial).toBe(4);
    expect(Object.keys(d.resources)).toHaveLength(4);
  });

  test('GIVEN a log of another lineage (its document was replaced) THEN nothing is applied', () => {
    const d = doc(1);
    expect(foldWal(d, parseWal(log('OTHER', 2, ['x']), 'w'), 'w')).toBe(0);
    expect(d).toEqual(doc(1));
  });

  test('GIVEN a log that starts after the document (an older document restored) THEN the state is refused', () => {
    expect(codeAndLine(() => foldWal(doc(1), parseWal(log('L', 5, ['x']), 'w'), 'w')).code).toBe('E_STATE_CORRUPT');
  });
});
