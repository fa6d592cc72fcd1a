import { describe, expect, test } from 'vitest';
import { managedByKind, tokenAges } from '../../../src/controller/cycle-report.js';
import { parseListen } from '../../../src/cli/commands/controller.js';
import { emptyState, type RecordedResource, type StateDocument } from '../../../src/state/types.js';

const A = '0123456789abcdef0123456789abcdef';
const NOW = Date.parse('2026-06-01T00:00:00Z');
const DAY = 86_400_000;

function record(kind: RecordedResource['kind'], name: string, issued?: string): RecordedResource {
  return {
    kind,
    account: A,
    name,
    id: name.padEnd(32, '0'),
    cf_name: name,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...(issued !== undefined ? { value_issued_at: issued } : {}),
  };
}

function state(...records: RecordedResource[]): StateDocument {
  const doc = emptyState('lineage');
  for (const r of records) doc.resources[`${r.kind}/${r.account}/${r.name}`] = r;
  return doc;
}

describe('cycle report: state figures', () => {
  test('GIVEN tokens of several ages WHEN aged THEN the oldest age and those due (older than the limit, or unknown) are counted', () => {
    const s = state(
      record('AccountToken', 'new', new Date(NOW - 2 * DAY).toISOString()),
      record('AccountToken', 'old', new Date(NOW - 40 * DAY).toISOString()),
      record('AccountToken', 'unknown'),
      record('SecondaryDnsPeer', 'p'),
    );
    const every30d = () => ({ every: '30d', strategy: 'overlap' as const, grace: '24h' });
    expect(tokenAges(s, NOW, every30d)).toEqual({ oldestValueAgeSeconds: 40 * 86_400, dueForRotation: 2 });
    expect(tokenAges(state(), NOW, every30d)).toEqual({ dueForRotation: 0 });
    // Per token: the same rule as the planner — no `every`, never due; `external` values are not cfgitops' to rotate.
    const none = () => ({ strategy: 'overlap' as const, grace: '24h' });
    expect(tokenAges(s, NOW, none).dueForRotation).toBe(0);
    const ext = state({
      ...record('AccountToken', 'ext', new Date(NOW - 90 * DAY).toISOString()),
      value_status: 'external',
    });
    expect(tokenAges(ext, NOW, every30d).dueForRotation).toBe(0);
    expect(managedByKind(s)).toEqual({
      SecondaryDnsTsig: 0,
      SecondaryDnsPeer: 1,
      SecondaryDnsAcl: 0,
      SecondaryDnsIncoming: 0,
      SecondaryDnsOutgoing: 0,
      AccountToken: 3,
    });
  });
});

describe('--listen', () => {
  test.each([
    ['127.0.0.1:8080', { host: '127.0.0.1', port: 8080 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['[::]:9000', { host: '::', port: 9000 }],
    [':8080', { host: '0.0.0.0', port: 8080 }],
  ])('GIVEN %s THEN %j', (text, expected) => {
    expect(parseListen(text)).toEqual(expected);
  });
  test.each(['8080', 'host', '1.2.3.4:99999', 'a:b'])('GIVEN %s THEN E_USAGE', (text) => {
    expect(() => parseListen(text)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});
