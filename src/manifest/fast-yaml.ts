/**
 * The fast path for well-formed manifest files: the subset parser (subset-yaml.ts) or, for what it declines, js-yaml
 * (~6× faster than yaml 2 on manifests, which spends much of its time in a per-token `process.env.LOG_TOKENS` read
 * and in building a full node tree) gives the values, and a
 * line scan gives each document's start, which is all a valid resource needs (`source` in plans). Anything else —
 * a YAML error, a duplicate key, anchors, aliases, tags, directives, complex keys, an explicit `null` document —
 * returns undefined and the caller takes yaml's positioned path, so every error keeps its exact line:col. For
 * other pointers (`locate('/spec/x')`) the file is parsed with yaml once, lazily.
 *
 * js-yaml resolves scalars with a schema built here to match yaml 2's YAML 1.2 core schema exactly (js-yaml's own
 * core schema also accepts `0b…`, `1_000` and other YAML 1.1 forms); test/unit/manifest/fast-yaml.test.ts holds
 * the two paths equal.
 */
import type { Schema } from 'js-yaml';
import { jsYaml } from '../lazy-require.js';
import { subsetParse, type SubsetDocument } from './subset-yaml.js';

/** Where a document's content starts (1-based), and its 0-based position in the stream. */
export interface FastDocument {
  index: number;
  value: unknown;
  line: number;
  col: number;
}

/**
 * YAML 1.2 core schema's implicit scalars, in resolution order. `first`: the characters a match can start with (a
 * cheap gate: js-yaml tries every type on every plain scalar).
 */
const CORE_SCALARS: readonly { tag: string; first: string; test: RegExp; construct: (s: string) => unknown }[] = [
  { tag: 'null', first: '~nN', test: /^(?:~|[Nn]ull|NULL)?$/, construct: () => null },
  {
    tag: 'bool',
    first: 'tTfF',
    test: /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
    construct: (s) => s[0] === 't' || s[0] === 'T',
  },
  { tag: 'int', first: '-+0123456789', test: /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/, construct: intValue },
  {
    tag: 'float',
    first: '-+.0123456789',
    test: /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
    construct: floatValue,
  },
];

const matches = (rule: (typeof CORE_SCALARS)[number], data: string): boolean =>
  (data === '' || rule.first.includes(data.charAt(0))) && rule.test.test(data);

let coreSchema: Schema | undefined;
/** Built on first use: most trees never need js-yaml (the subset parser reads them), so it is not even loaded. */
function jsYamlCoreSchema(): Schema {
  const { FAILSAFE_SCHEMA, Type } = jsYaml();
  return (coreSchema ??= FAILSAFE_SCHEMA.extend({
    implicit: CORE_SCALARS.map(
      (rule) =>
        new Type(`tag:yaml.org,2002:${rule.tag}`, {
          kind: 'scalar',
          resolve: (data) => typeof data === 'string' && matches(rule, data),
          construct: (data) => rule.construct(data as string),
        }),
    ),
  }));
}

/** Every character a core-schema null, boolean or number can start with. */
const NON_STRING_FIRST = new Set(CORE_SCALARS.flatMap((rule) => rule.first.split('')));

/** A plain scalar's value under the same rules (the subset parser's resolver). */
export function resolvePlain(text: string): unknown {
  // Most scalars (names, hosts, words) start with a character no rule can match: they are strings at once.
  if (text !== '' && !NON_STRING_FIRST.has(text.charAt(0))) return text;
  for (const rule of CORE_SCALARS) if (matches(rule, text)) return rule.construct(text);
  return text;
}

function intValue(s: string): number {
  if (s.startsWith('0o')) return parseInt(s.slice(2), 8);
  if (s.startsWith('0x')) return parseInt(s.slice(2), 16);
  return parseInt(s, 10);
}

function floatValue(s: string): number {
  if (/nan$/i.test(s)) return NaN;
  if (/inf$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  return parseFloat(s);
}

/**
 * Anchors, aliases, tags, complex keys, directives, `...`, tab indentation: yaml's path handles those. The same test
 * as `/(?:^|[\s[{,])[&*!]|(?:^|\s)\?(?:\s|$)|^(?:%|\.\.\.)|^ *\t/m` (test/unit/manifest/fast-yaml.test.ts holds
 * them equal), written as a look at each occurrence of the few characters it is about: that regex tries every
 * position of every file and was 2 % of the P3 profile (docs/benchmarks.md).
 */
export function outsideFastPath(text: string): boolean {
  for (const c of '&*!') {
    for (let i = text.indexOf(c); i >= 0; i = text.indexOf(c, i + 1)) {
      if (i === 0 || AFTER_INDICATOR_START.test(text.charAt(i - 1))) return true;
    }
  }
  for (let i = text.indexOf('?'); i >= 0; i = text.indexOf('?', i + 1)) {
    const before = i === 0 || SPACE.test(text.charAt(i - 1));
    if (before && (i + 1 === text.length || SPACE.test(text.charAt(i + 1)))) return true;
  }
  for (const marker of ['%', '...', '\t']) {
    for (let i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + 1)) {
      let start = i;
      if (marker === '\t') while (start > 0 && text.charCodeAt(start - 1) === 32) start--;
      if (start === 0 || LINE_BREAK.test(text.charAt(start - 1))) return true;
    }
  }
  return false;
}

const AFTER_INDICATOR_START = /[\s[{,]/;
const SPACE = /\s/;
/** Where a multi-line regex's `^` matches. */
const LINE_BREAK = /[\n\r\u2028\u2029]/;

export function fastParse(text: string, maxDocuments: number): FastDocument[] | undefined {
  if (outsideFastPath(text)) return undefined;
  // The subset parser takes what manifests are usually written as, starts included; js-yaml the rest of the fast path.
  const found = subsetParse(text, resolvePlain) ?? jsYamlDocuments(text);
  if (found === undefined || found.length > maxDocuments) return undefined;
  const docs: FastDocument[] = [];
  for (const [index, d] of found.entries()) if (d !== undefined) docs.push({ index, ...d });
  return docs;
}

/** js-yaml's values with the line scan's document starts (undefined entries: empty documents). */
function jsYamlDocuments(text: string): (SubsetDocument | undefined)[] | undefined {
  const starts = documentStarts(text);
  if (starts === undefined) return undefined;
  let values: unknown[];
  try {
    values = jsYaml().loadAll(text, null, { schema: jsYamlCoreSchema() });
  } catch {
    return undefined;
  }
  if (values.length !== starts.length) return undefined;
  const docs: (SubsetDocument | undefined)[] = [];
  for (const [index, start] of starts.entries()) {
    const value = values[index];
    if (start === undefined) {
      if (value !== null && value !== undefined) return undefined;
      docs.push(undefined); // an empty document in a stream: skipped, as on yaml's path
      continue;
    }
    if (value === null || value === undefined) return undefined; // `~` or `null` as a document: yaml's path says so
    docs.push({ value, ...start });
  }
  return docs;
}

/**
 * One entry per document: the implicit first one if it has content before the first `---`, then one per `---`.
 * `---` at column 0 always starts a document (YAML forbids it inside scalars), so a line scan is exact.
 */
function documentStarts(text: string): ({ line: number; col: number } | undefined)[] | undefined {
  const docs: ({ line: number; col: number } | undefined)[] = [];
  let open = false;
  let line = 0;
  for (let at = 0; at <= text.length; line++) {
    const end = text.indexOf('\n', at);
    const stop = end < 0 ? text.length : end;
    const raw = text.slice(at, stop);
    at = stop + 1;
    if (raw.startsWith('---') && (raw.length === 3 || /\s/.test(raw.charAt(3)))) {
      docs.push(undefined);
      open = true;
      // yaml refuses some content on the marker line (a block map) that js-yaml takes: leave those to yaml.
      const rest = raw.slice(3).trimStart();
      if (rest !== '' && !rest.startsWith('#')) return undefined;
      continue;
    }
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (!open) {
      docs.push(undefined);
      open = true;
    }
    if (docs[docs.length - 1] === undefined) {
      docs[docs.length - 1] = { line: line + 1, col: raw.length - raw.trimStart().length + 1 };
    }
  }
  return docs;
}
