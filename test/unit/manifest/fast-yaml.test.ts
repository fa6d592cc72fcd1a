/**
 * The fast path (js-yaml values + a line scan for document starts) must agree with yaml's positioned path on every
 * input it accepts: same values, same document starts, same positions for any pointer. Anything it is unsure of it
 * declines. Checked on the shipped example, the bench's generated tree shape, edge cases, and fast-check documents.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { fastParse } from '../../../src/manifest/fast-yaml.js';
import {
  DEFAULT_PARSE_LIMITS,
  parseManifestFile,
  parseWithYaml,
  type ManifestFile,
} from '../../../src/manifest/parse-manifest-file.js';

const file = (text: string): ManifestFile => ({
  path: 'm/a.yaml',
  relPath: 'a.yaml',
  absDir: '/m',
  bytes: new TextEncoder().encode(text),
});

/** Both paths on the same text: equal when the fast path accepts it. */
function assertSamePaths(text: string, pointers: readonly string[] = []): boolean {
  const fast = fastParse(text, DEFAULT_PARSE_LIMITS.maxDocuments);
  if (fast === undefined) return false;
  const slow = parseWithYaml(file(text), text, DEFAULT_PARSE_LIMITS);
  expect(slow.errors, text).toEqual([]);
  expect(fast.map((d) => d.value)).toEqual(slow.documents.map((d) => d.value));
  const viaFast = parseManifestFile(file(text));
  viaFast.documents.forEach((d, k) => {
    for (const p of ['', ...pointers]) expect(d.locate(p), `${p} in\n${text}`).toEqual(slow.documents[k]!.locate(p));
  });
  return true;
}

describe('GIVEN well-formed manifest files', () => {
  test('WHEN the shipped example is parsed THEN both paths agree and the fast path takes every file', async () => {
    const dir = new URL('../../../desired-state/', import.meta.url).pathname;
    for (const name of (await readdir(dir)).filter((n) => n.endsWith('.yaml'))) {
      const text = await readFile(join(dir, name), 'utf8');
      expect(assertSamePaths(text, ['/spec/name', '/metadata/name', '/spec/policies/0/effect']), name).toBe(true);
    }
  });

  test.each([
    ['plain map', 'a: 1\nb: two\n'],
    ['comments and markers', '# head\n---\n# c\na: 1\n---\n\n---\nb: [1, 2]\n'],
    ['trailing marker', 'a: 1\n---\n'],
    [
      'core schema scalars',
      'i: 0x1F\no: 0o17\nf: 1.5e3\nn: ~\nt: True\ninf: -.inf\ns: 1_000\nb: 0b1\ny: yes\nd: 2024-01-01\n',
    ],
    ['quotes and folding', "a: \"x\\ty\"\nb: 'it''s'\nc: >\n  folded\n  text\nd: |\n  kept\n"],
    ['CRLF', 'a: 1\r\nb:\r\n  - x\r\n'],
    ['BOM-less unicode', 'name: "zoné ✓"\n'],
  ])('WHEN "%s" THEN the fast path matches yaml', (_, text) => {
    expect(assertSamePaths(text, ['/a', '/b', '/b/0', '/c'])).toBe(true);
  });

  test.each([
    ['anchors and aliases', 'a: &x 1\nb: *x\n'],
    ['tags', 'a: !!str 1\n'],
    ['duplicate keys', 'a: 1\na: 2\n'],
    ['explicit null document', '---\n~\n'],
    ['syntax error', 'a: [1, 2\n'],
    ['tab indentation', 'a:\n\t- 1\n'],
    ['directive', '%YAML 1.2\n---\na: 1\n'],
    ['complex key', '? [a]\n: 1\n'],
    // js-yaml takes a block map on the marker line; yaml refuses it.
    ['content on the marker line', '--- {a: 1}\n--- b: 2\n'],
  ])('WHEN "%s" THEN the fast path declines and yaml decides', (_, text) => {
    expect(fastParse(text, DEFAULT_PARSE_LIMITS.maxDocuments)).toBeUndefined();
  });
});

describe('GIVEN generated YAML documents', () => {
  const scalar = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.boolean(),
    fc.constantFrom(
      '~',
      'null',
      'True',
      '0x1f',
      '0o7',
      '1e3',
      '.5',
      '-.inf',
      '1_0',
      'yes',
      '2024-01-01',
      '',
      '#x',
      ': x',
    ),
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 3 }), tie('map')),
    map: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), tie('node'), { maxKeys: 4 }),
  })).map;

  test('WHEN written by yaml and by hand-ish styles THEN whenever the fast path accepts, it agrees with yaml', async () => {
    const { stringify } = await import('yaml');
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 3 }), fc.boolean(), (docs, flow) => {
        const text = docs.map((d) => stringify(d, flow ? { collectionStyle: 'flow' } : {})).join('---\n');
        assertSamePaths(text);
      }),
      { numRuns: 300 },
    );
  });
});
