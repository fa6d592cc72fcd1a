/**
 * The fast path (js-yaml values + a line scan for document starts) must agree with yaml's positioned path on every
 * input it accepts: same values, same document starts, same positions for any pointer. Anything it is unsure of it
 * declines. Checked on the shipped example, the bench's generated tree shape, edge cases, and fast-check documents.
 */
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { fastParse, outsideFastPath, resolvePlain } from '../../../src/manifest/fast-yaml.js';
import { subsetParse } from '../../../src/manifest/subset-yaml.js';
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

/**
 * The subset parser (subset-yaml.ts) on its own: whatever it accepts, yaml must read the same (documents, empty ones
 * included); what manifests are written as, it must accept, or the speed-up is lost without a test noticing.
 */
describe('GIVEN the subset parser', () => {
  const subset = (text: string) => subsetParse(text, resolvePlain);
  function assertSubsetAgrees(text: string): boolean {
    const values = subset(text);
    if (values === undefined) return false;
    const slow = parseWithYaml(file(text), text, DEFAULT_PARSE_LIMITS);
    expect(slow.errors, text).toEqual([]);
    const docs = values.filter((v) => v !== undefined);
    expect(
      docs.map((d) => d.value),
      text,
    ).toEqual(slow.documents.map((d) => d.value));
    expect(docs.map((d) => ({ line: d.line, col: d.col }))).toEqual(
      slow.documents.map((d) => {
        const { line, col } = d.locate('');
        return { line, col };
      }),
    );
    // And the whole fast path (document starts, every pointer) agrees, when its pre-check lets the text through.
    assertSamePaths(text);
    return true;
  }

  test('WHEN the shipped example and the benchmark tree shape are parsed THEN it takes every file', async () => {
    const dir = new URL('../../../desired-state/', import.meta.url).pathname;
    for (const name of (await readdir(dir)).filter((n) => n.endsWith('.yaml'))) {
      expect(assertSubsetAgrees(await readFile(join(dir, name), 'utf8')), name).toBe(true);
    }
    const fixtures = '../../../bench/fixtures.js'; // plain JS, untyped: the P3 benchmark's generator
    const { writeManifestTree } = (await import(fixtures)) as {
      writeManifestTree: (o: object) => Promise<{ dir: string; files: string[] }>;
    };
    const tree = await writeManifestTree({ resources: 40, files: 2, accounts: 2 });
    try {
      for (const f of tree.files) expect(assertSubsetAgrees(await readFile(f, 'utf8')), f).toBe(true);
    } finally {
      await rm(tree.dir, { recursive: true, force: true });
    }
  });

  test.each([
    ['nested maps and compact sequence maps', "a:\n  b:\n    - c: 1\n      d: [x, \"y z\", 'it''s']\n    - e\n"],
    ["sequence at its key's indentation", 'a:\n- 1\n- two\nb: ~\n'],
    ['empty values and lists', 'a:\nb: []\nc:\n  -\n  - x\n'],
    [
      'comments everywhere',
      '# c\na: 1 # one\n  # indented comment\nb: "x # not a comment" # c\n---\n# only\n---\nc: d\n',
    ],
    ['plain scalars with indicators inside', 'a: b:c\nd: e#f\ng: -1\nh: :x\ni: 1.5\nj: 0x1F\nk: True\nl: 2024-01-01\n'],
    ['keys with dots and stars', 'com.cloudflare.api.account.zone.*: "*"\n'],
    // YAML's blanks are space and tab: a no-break space after `key: ` is the value's (trimStart dropped it).
    ['a no-break space starting a value', 'a: \u00a0x\nb:   y\nc: \u2003z\n'],
  ])('WHEN "%s" THEN it accepts and agrees with yaml', (_, text) => {
    expect(assertSubsetAgrees(text)).toBe(true);
  });

  test.each([
    ['a multi-line plain scalar', 'a: one\n  two\n'],
    ['a block scalar', 'a: |\n  x\n'],
    ['a flow map', 'a: {b: 1}\n'],
    ['nested flow', 'a: [[1]]\n'],
    ['a trailing comma', 'a: [1, ]\n'],
    ['an escape', 'a: "x\\ty"\n'],
    ['a quoted key', '"a": 1\n'],
    ['a numeric key', '1: a\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a mapping value in a plain scalar', 'a: b: c\n'],
    ['misaligned keys', 'a:\n    b: 1\n  c: 2\n'],
    ['an entry where a key belongs', 'a: 1\n- b\n'],
    ['a scalar document', 'just text\n'],
    ['content on the marker line', '--- a: 1\n'],
    ['a nested inline sequence', '- - a\n'],
    ['an unterminated quote', 'a: "x\n'],
    ['text after a quote', 'a: "x" y\n'],
    ['CRLF', 'a: 1\r\n'],
    ['an indented document', '  a: 1\n'],
  ])('WHEN "%s" THEN it declines', (_, text) => {
    expect(subset(text)).toBeUndefined();
  });

  // Manifest-like documents in block style (yaml's default output), with comments and quoting styles mixed in.
  const key = fc.stringMatching(/^[a-z_][a-z0-9_.*-]{0,7}$/);
  const plain = fc.stringMatching(/^[a-zA-Z0-9./:@=+-][a-zA-Z0-9 ./:#@=+-]{0,10}$/);
  const leaf = fc.oneof(
    { arbitrary: plain, weight: 4 },
    fc.string({ maxLength: 10 }),
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.boolean(),
    fc.constant(null),
  );
  // Lists hold scalars and maps (manifests nest no list directly in a list; `- - x` is declined).
  const tree = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(fc.oneof(leaf, tie('map')), { maxLength: 3 }), tie('map')),
    map: fc.dictionary(key, tie('node'), { minKeys: 1, maxKeys: 4 }),
  })).map;

  test('WHEN generated documents are written in block style THEN whenever it accepts, yaml agrees', async () => {
    const { stringify } = await import('yaml');
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.array(tree, { minLength: 1, maxLength: 3 }),
        fc.constantFrom<'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE'>('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE'),
        fc.boolean(),
        fc.boolean(),
        (docs, defaultStringType, flowLeaves, comments) => {
          let text = docs
            .map((d) => stringify(d, { defaultStringType, ...(flowLeaves ? { flowCollectionPadding: false } : {}) }))
            .join('---\n');
          if (comments) text = text.replace(/\n/g, (m, at: number) => (at % 3 === 0 ? ' # note\n' : m));
          if (assertSubsetAgrees(text)) accepted++;
        },
      ),
      { numRuns: 400 },
    );
    // The property is only worth something if the parser took a fair share of the cases (~a quarter: many
    // generated strings need escapes or brackets, which it declines).
    expect(accepted).toBeGreaterThan(50);
  });
});

describe('GIVEN the fast-path gate', () => {
  // The regex the gate replaced (it tried every position of every file): the gate must say the same on any text.
  const NOT_FAST = /(?:^|[\s[{,])[&*!]|(?:^|\s)\?(?:\s|$)|^(?:%|\.\.\.)|^ *\t/m;
  const pieces = ['&', '*', '!', '?', '%', '.', '...', '\t', ' ', '\n', '\r', '\u2028', '[', '{', ',', 'a', ':', '-'];

  test('WHEN texts of its characters are checked THEN it agrees with the regex on every one', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        expect(outsideFastPath(text), JSON.stringify(text)).toBe(NOT_FAST.test(text));
      }),
      { numRuns: 5000 },
    );
  });

  test.each([
    ['a: *ref', true],
    ['a: &x 1', true],
    ['a: !!str 1', true],
    ['? complex', true],
    ['%YAML 1.2', true],
    ['...', true],
    ['  \tkey: v', true],
    ['k: zone.*: "*"', false],
    ['a: b?', false],
    ['a: 50%', false],
    ['a: x...', false],
    ['a: "x\ty"', false],
  ])('WHEN %j is checked THEN outside the fast path is %s', (text, outside) => {
    expect(outsideFastPath(text)).toBe(outside);
    expect(NOT_FAST.test(text)).toBe(outside);
  });
});
