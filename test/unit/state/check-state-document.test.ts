import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CfgitopsError } from '../../../src/errors.js';
import { checkStateDocument, parseStateDocument } from '../../../src/state/check-state-document.js';
import { jsonErrorOffset } from '../../../src/state/json-error-offset.js';
import { stateDocumentJson } from '../../../src/state/stable-json.js';
import { emptyState, type StateDocument } from '../../../src/state/types.js';

const account = '0123456789abcdef0123456789abcdef';
const resource = {
  kind: 'SecondaryDnsPeer',
  account,
  name: 'ns1',
  id: 'peer-1',
  cf_name: 'ns1',
  created_at: '2025-01-01T00:00:00Z',
  updated_at: '2025-01-01T00:00:00Z',
  complete: false,
} as const;

const APPLIED = {
  digest: 'a'.repeat(64),
  defaultSink: 'gh',
  sinks: {
    gh: {
      type: 'github-actions',
      repository: 'acme/infra',
      tokenEnv: 'GITHUB_TOKEN',
      apiUrl: 'https://api.github.com',
    },
  },
  policy: { peerAllowedPorts: [53] },
  applied_at: '2025-01-01T00:00:00.000Z',
};

function doc(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...emptyState('lineage-1'),
    resources: { [`SecondaryDnsPeer/${account}/ns1`]: resource },
    ...overrides,
  };
}

function codeOf(f: () => unknown): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof CfgitopsError) return e.code;
    throw e;
  }
}

describe('checkStateDocument', () => {
  test.each([
    ['a valid document', doc(), 'ok'],
    ['an empty state', emptyState('x'), 'ok'],
    ['a missing serial', { ...doc(), serial: undefined }, 'E_STATE_CORRUPT'],
    ['a fractional serial', doc({ serial: 1.5 }), 'E_STATE_CORRUPT'],
    ['an unknown top-level field', doc({ extra: true }), 'E_STATE_CORRUPT'],
    ['an unknown kind', doc({ resources: { k: { ...resource, kind: 'Zone' } } }), 'E_STATE_CORRUPT'],
    ['a bad account id', doc({ resources: { k: { ...resource, account: 'acme' } } }), 'E_STATE_CORRUPT'],
    [
      'a key not matching the address',
      doc({ resources: { [`SecondaryDnsPeer/${account}/other`]: resource } }),
      'E_STATE_CORRUPT',
    ],
    [
      'a token value field',
      doc({ resources: { [`SecondaryDnsPeer/${account}/ns1`]: { ...resource, value: 'x' } } }),
      'E_STATE_CORRUPT',
    ],
    [
      'an intent under another id',
      doc({
        pending: {
          a: { id: 'b', op: 'create', kind: 'AccountToken', account, name: 'n', cf_name: 'n', started_at: 't' },
        },
      }),
      'E_STATE_CORRUPT',
    ],
    ['a state from before applied_config (none)', doc({ applied_config: undefined }), 'ok'],
    ['an applied config', doc({ applied_config: APPLIED }), 'ok'],
    [
      'an applied config with guardrail modes',
      doc({
        applied_config: {
          ...APPLIED,
          policy: { ...APPLIED.policy, mode: 'enforce-new', modes: { peerAllowedPorts: 'warn' } },
        },
      }),
      'ok',
    ],
    [
      'an applied config with an unknown guardrail mode',
      doc({ applied_config: { ...APPLIED, policy: { ...APPLIED.policy, mode: 'lenient' } } }),
      'E_STATE_CORRUPT',
    ],
    [
      'an applied config with a secret-looking field',
      doc({ applied_config: { ...APPLIED, sinks: { gh: { ...APPLIED.sinks['gh'], token: 'x' } } } }),
      'E_STATE_CORRUPT',
    ],
    [
      'an applied config without applied_at',
      doc({ applied_config: { ...APPLIED, applied_at: undefined } }),
      'E_STATE_CORRUPT',
    ],
    ['format_version 2', doc({ format_version: 2 }), 'E_STATE_VERSION'],
    ['format_version 0', doc({ format_version: 0 }), 'E_STATE_CORRUPT'],
    ['an array', [], 'E_STATE_CORRUPT'],
    ['null', null, 'E_STATE_CORRUPT'],
  ])('GIVEN %s THEN %s', (_name, value, code) => {
    expect(codeOf(() => checkStateDocument(value, 'state.json'))).toBe(code);
  });
});

describe('parseStateDocument', () => {
  test.each([
    ['{\n  "a": 1,\n  ]\n}', { line: 3, col: 3 }],
    ['{"format_version": 1,', { line: 1, col: 22 }],
    ['\n\n  x', { line: 3, col: 3 }],
  ])('GIVEN invalid JSON %j THEN E_STATE_CORRUPT at %o', (text, at) => {
    try {
      parseStateDocument(text, 'state.json');
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'E_STATE_CORRUPT', location: { file: 'state.json', ...at } });
    }
  });

  test.each([
    ['without', doc()],
    ['with', doc({ applied_config: APPLIED })],
  ])('GIVEN the text cfgitops wrote %s an applied config THEN it parses back to the same document', (_w, value) => {
    const original = value as unknown as StateDocument;
    expect(parseStateDocument(stateDocumentJson(original), 'state.json')).toEqual(original);
  });
});

describe('stateDocumentJson', () => {
  test('GIVEN the same document built in a different key order THEN the text is identical', () => {
    const a = doc() as unknown as StateDocument;
    const reordered = JSON.parse(
      JSON.stringify({
        pending: {},
        resources: { [`SecondaryDnsPeer/${account}/ns1`]: { ...resource } },
        serial: 0,
        lineage: 'lineage-1',
        format_version: 1,
      }),
    ) as StateDocument;
    expect(stateDocumentJson(reordered)).toBe(stateDocumentJson(a));
    expect(stateDocumentJson(a).split('\n')[1]).toBe('  "format_version": 1,');
  });
});

describe('jsonErrorOffset', () => {
  test.each([
    ['{"a": [1, 2, {"b": null}], "c": "\\u00e9"}', undefined],
    ['  true ', undefined],
    ['-0.5e+3', undefined],
    ['{"a": 1,}', 8],
    ['{"a" 1}', 5],
    ['[1 2]', 3],
    ['{"a": tru}', 9],
    ['"abc', 4],
    ['"\\x"', 2],
    ['{} x', 3],
    ['', 0],
    ['01', 1],
  ])('GIVEN %j THEN the first error is at %s', (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
  });
});

describe('jsonErrorOffset agrees with JSON.parse', () => {
  const parses = (text: string): boolean => {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  };

  test('GIVEN any serialized JSON value THEN no error is found', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(jsonErrorOffset(JSON.stringify(v, null, 2))).toBeUndefined();
      }),
    );
  });

  test('GIVEN a serialized value cut short or with a character changed THEN an offset is found exactly when JSON.parse fails', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), fc.constantFrom('', 'x', ',', '}', '"', ' '), (v, at, ch) => {
        const text = JSON.stringify(v);
        const cut = at % (text.length + 1);
        const broken = text.slice(0, cut) + ch + text.slice(cut + 1);
        expect(jsonErrorOffset(broken) === undefined).toBe(parses(broken));
      }),
    );
  });
});
