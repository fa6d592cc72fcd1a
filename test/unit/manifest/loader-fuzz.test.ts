/**
 * Property: whatever the bytes, the loader returns (never throws) and every error is a positioned CfgitopsError.
 * 200 cases per property in `npm test`, 10,000 under CFGITOPS_EVIDENCE=long; CFGITOPS_FUZZ_RUNS sets any number.
 * Each case is bounded in time (CASE_BUDGET_MS): a pathological input that makes the loader crawl is a finding.
 * Every property starts with a fixed example known to be invalid (fast-check `examples` run before the random
 * cases) and asserts that some cases were rejected, so the "positioned errors" half is exercised whatever the seed.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { CfgitopsError } from '../../../src/errors.js';
import { validateManifests } from '../../../src/manifest/validate-manifests.js';

const RUNS = Number(process.env['CFGITOPS_FUZZ_RUNS'] ?? (process.env['CFGITOPS_EVIDENCE'] === 'long' ? 10_000 : 200));
/** Generous on a shared 2-core machine; a case is ~1 ms. A hang would be interrupted by the test timeout anyway. */
const CASE_BUDGET_MS = 2_000;
const TEST_TIMEOUT_MS = Math.max(60_000, RUNS * 150);
const exampleDir = path.resolve(import.meta.dirname, '../../../desired-state');
const examples = readdirSync(exampleDir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ name: f, text: readFileSync(path.join(exampleDir, f), 'utf8') }));
const documents: unknown[] = examples.flatMap((e) => parseAllDocuments(e.text).map((d) => d.toJS() as unknown));

/** Checks one case; returns how many errors the loader reported. */
function check(files: { name: string; bytes: Uint8Array }[]): number {
  const started = performance.now();
  const result = validateManifests({
    files: files.map((f) => ({ path: `m/${f.name}`, relPath: f.name, absDir: exampleDir, bytes: f.bytes })),
    dir: 'm',
    cwd: path.dirname(exampleDir),
    root: path.dirname(exampleDir),
    now: Date.parse('2026-06-01T00:00:00Z'),
  });
  for (const e of result.errors) {
    expect(e).toBeInstanceOf(CfgitopsError);
    expect(e.location?.line).toBeGreaterThanOrEqual(1);
    expect(e.location?.col).toBeGreaterThanOrEqual(1);
    expect(e.location?.file.startsWith('m/')).toBe(true);
  }
  expect(result.manifests !== undefined || result.errors.length > 0).toBe(true);
  expect(performance.now() - started, 'one fuzz case took too long').toBeLessThan(CASE_BUDGET_MS);
  return result.errors.length;
}

type Path = (string | number)[];
function paths(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

function mutate(value: unknown, at: Path, op: 'drop' | 'replace', replacement: unknown): unknown {
  if (at.length === 0) return op === 'drop' ? null : replacement;
  const copy: unknown = structuredClone(value);
  let node = copy as Record<string | number, unknown>;
  for (const k of at.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = at[at.length - 1]!;
  if (op === 'drop') {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = replacement;
  return copy;
}

const anyValue = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string(), { maxKeys: 3 }),
  fc.constantFrom('hmac-sha1.', 'zone', '10.0.0.0/8', '2030-01-01T00:00:00Z', 'main', '0'.repeat(32), '*'),
);

describe('loader fuzz', () => {
  test(
    'GIVEN structure-aware mutations of valid manifests WHEN validated THEN only positioned CfgitopsErrors',
    () => {
      const mutation = fc
        .record({
          doc: fc.integer({ min: 0, max: documents.length - 1 }),
          pick: fc.nat(),
          op: fc.constantFrom('drop' as const, 'replace' as const),
          replacement: anyValue,
          flow: fc.boolean(),
        })
        .map(({ doc, pick, op, replacement, flow }) => {
          const original = documents[doc];
          const all = paths(original);
          const at = all[pick % all.length]!;
          const mutated = mutate(original, at, op, replacement);
          const others = documents.filter((_, i) => i !== doc);
          return [...others, mutated]
            .map((d) => stringify(d, { collectionStyle: flow ? 'flow' : 'any' }))
            .join('---\n');
        });
      let rejected = 0;
      // A document without its kind: invalid whatever the seed.
      const noKind = examples.map((e) => e.text.replace(/^kind: .*$/m, '')).join('---\n');
      fc.assert(
        fc.property(mutation, (text) => {
          if (check([{ name: 'all.yaml', bytes: new TextEncoder().encode(text) }]) > 0) rejected++;
        }),
        { numRuns: RUNS, examples: [[noKind]] },
      );
      expect(rejected).toBeGreaterThan(0);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'GIVEN raw byte mutations of valid files WHEN validated THEN only positioned CfgitopsErrors',
    () => {
      const base = new TextEncoder().encode(examples.map((e) => e.text).join('---\n'));
      const edits = fc.array(
        fc.record({
          at: fc.nat(),
          op: fc.constantFrom('flip', 'insert', 'delete'),
          byte: fc.integer({ min: 0, max: 255 }),
        }),
        { minLength: 1, maxLength: 8 },
      );
      let rejected = 0;
      fc.assert(
        fc.property(edits, (list) => {
          let bytes = Array.from(base);
          for (const { at, op, byte } of list) {
            const i = at % (bytes.length + 1);
            if (op === 'insert') bytes.splice(i, 0, byte);
            else if (op === 'delete') bytes.splice(i, 1);
            else if (i < bytes.length) bytes[i] = byte;
          }
          if (check([{ name: 'bytes.yaml', bytes: Uint8Array.from(bytes) }]) > 0) rejected++;
          bytes = [];
        }),
        // An unclosed flow mapping at the start: invalid YAML whatever the seed.
        { numRuns: RUNS, examples: [[[{ at: 0, op: 'insert' as const, byte: 0x7b }]]] },
      );
      expect(rejected).toBeGreaterThan(0);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'GIVEN random YAML-ish text WHEN validated THEN only positioned CfgitopsErrors',
    () => {
      const token = fc.constantFrom(
        'a',
        ':',
        ' ',
        '\n',
        '-',
        '[',
        ']',
        '{',
        '}',
        '&a',
        '*a',
        '!!str',
        '\t',
        '"',
        "'",
        '#',
        '---',
        '|',
        '>',
        '?',
        ',',
        'kind',
        'apiVersion',
      );
      let rejected = 0;
      fc.assert(
        fc.property(fc.array(token, { maxLength: 60 }), (parts) => {
          if (check([{ name: 'r.yaml', bytes: new TextEncoder().encode(parts.join('')) }]) > 0) rejected++;
        }),
        { numRuns: RUNS, examples: [[['kind', ':', ' ', '[']]] },
      );
      expect(rejected).toBeGreaterThan(0);
    },
    TEST_TIMEOUT_MS,
  );
});
