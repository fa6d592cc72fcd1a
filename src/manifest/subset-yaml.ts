/**
 * A parser for the YAML subset manifests are written in, tried before js-yaml on the fast path (fast-yaml.ts): block
 * maps and sequences (compact `- key: v` entries too), single-line plain, single- and double-quoted scalars, single-line
 * flow sequences of scalars, comments and `---` markers. It builds the values directly, a line at a time, where
 * js-yaml (the P3 profile's largest item) keeps a reader state per character and allocates per scalar.
 *
 * Anything outside the subset — or that YAML would refuse — makes it decline (undefined), and the caller takes
 * js-yaml's path and then yaml's, so an error never loses its exact position: multi-line scalars, block scalars
 * (`|`, `>`), flow maps, nested flow, escapes in double quotes, keys that are quoted or not plain strings,
 * duplicate keys, indentation that does not line up, tabs, CR, a BOM. Scalars resolve with the same YAML 1.2 core
 * schema rules as the js-yaml path (`resolvePlain`), which test/unit/manifest/fast-yaml.test.ts holds equal to yaml.
 */

/** Why a parse gave up: internal control flow only, never shown (the caller falls back). */
class Decline extends Error {}
const DECLINE = new Decline();

/** Characters a plain scalar may not start with (YAML's c-indicators, less `-?:` handled on their own). */
const INDICATOR_START = new Set('[]{},#&*!|>\'"%@`'.split(''));

export type ResolvePlain = (text: string) => unknown;

/** A document with content: its value and where that content starts (1-based). */
export interface SubsetDocument {
  value: unknown;
  line: number;
  col: number;
}

/**
 * One entry per document, in the order `---` markers and content delimit them (undefined for an empty document), or
 * undefined when the text is not in the subset. A line scan without splitting: only content lines become strings.
 */
export function subsetParse(text: string, resolvePlain: ResolvePlain): (SubsetDocument | undefined)[] | undefined {
  if (text.includes('\r') || text.includes('\t') || text.charCodeAt(0) === 0xfeff) return undefined;
  const docs: (SubsetDocument | undefined)[] = [];
  const texts: string[] = [];
  const indents: number[] = [];
  // One string per distinct scalar in the file: manifests repeat the same words (allow, DNS Write, an alias) in
  // every document, and each copy would live as long as its resource.
  const strings = new Map<string, string>();
  let open = false;
  let firstLine = 0;
  const flush = (): void => {
    if (!open) return;
    if (texts.length === 0) docs.push(undefined);
    else {
      const value = new DocumentParser(texts, indents, resolvePlain, strings).document();
      docs.push({ value, line: firstLine, col: indents[0]! + 1 });
    }
    texts.length = 0;
    indents.length = 0;
  };
  try {
    let line = 0;
    for (let at = 0; at <= text.length;) {
      line++;
      const newline = text.indexOf('\n', at);
      const stop = newline < 0 ? text.length : newline;
      const from = at;
      at = stop + 1;
      if (text.startsWith('---', from) && (stop === from + 3 || text.charCodeAt(from + 3) === 32)) {
        const rest = text.slice(from + 3, stop).trimStart();
        if (rest !== '' && !rest.startsWith('#')) return undefined;
        flush();
        open = true;
        continue;
      }
      let start = from;
      while (start < stop && text.charCodeAt(start) === 32) start++;
      if (start === stop || text.charCodeAt(start) === 35 /* # */) continue;
      let end = stop;
      while (text.charCodeAt(end - 1) === 32) end--; // trailing spaces
      if (texts.length === 0) firstLine = line;
      open = true;
      texts.push(text.slice(start, end));
      indents.push(start - from);
    }
    flush();
  } catch (e) {
    if (e === DECLINE) return undefined;
    throw e;
  }
  return docs;
}

/** One document's content lines (indentation removed, blank and comment lines dropped). */
class DocumentParser {
  readonly #texts: string[];
  readonly #indents: number[];
  readonly #resolve: ResolvePlain;
  readonly #strings: Map<string, string>;
  #at = 0;

  constructor(texts: string[], indents: number[], resolve: ResolvePlain, strings: Map<string, string>) {
    this.#texts = texts;
    this.#indents = indents;
    this.#resolve = resolve;
    this.#strings = strings;
  }

  /** The file's first copy of an equal string (see `strings` in subsetParse); other values as they are. */
  #shared(value: unknown): unknown {
    if (typeof value !== 'string') return value;
    const seen = this.#strings.get(value);
    if (seen !== undefined) return seen;
    this.#strings.set(value, value);
    return value;
  }

  document(): unknown {
    if (this.#indents[0] !== 0) throw DECLINE;
    const text = this.#texts[0]!;
    // A bare scalar or flow collection as a whole document: left to js-yaml and yaml.
    if (!isSequenceEntry(text) && keyOf(text) === undefined) throw DECLINE;
    const value = this.#block(0);
    if (this.#at !== this.#texts.length) throw DECLINE;
    return value;
  }

  #block(indent: number): unknown {
    return isSequenceEntry(this.#texts[this.#at]!) ? this.#sequence(indent) : this.#map(indent);
  }

  #map(indent: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    const texts = this.#texts;
    const indents = this.#indents;
    while (this.#at < texts.length) {
      const at = indents[this.#at]!;
      if (at < indent) break;
      if (at > indent) throw DECLINE;
      const text = texts[this.#at]!;
      const key = keyOf(text);
      if (key === undefined || Object.hasOwn(map, key)) throw DECLINE;
      let from = key.length + 1;
      while (text.charCodeAt(from) === 32) from++;
      const rest = text.slice(from); // one string, not a slice and its trimStart (spaces are the only blanks here)
      this.#at++;
      if (rest === '' || rest.charCodeAt(0) === 35 /* # */) {
        map[key] = this.#nested(indent, true);
      } else {
        map[key] = this.#inline(rest);
        this.#noContinuation(indent);
      }
    }
    return map;
  }

  #sequence(indent: number): unknown[] {
    const list: unknown[] = [];
    const texts = this.#texts;
    const indents = this.#indents;
    while (this.#at < texts.length) {
      const at = indents[this.#at]!;
      if (at < indent) break;
      if (at > indent) throw DECLINE;
      const text = texts[this.#at]!;
      if (!isSequenceEntry(text)) break; // a key after `key:` + entries at its own indentation: the map goes on
      const rest = text.slice(1).trimStart();
      if (rest === '' || rest.charCodeAt(0) === 35 /* # */) {
        this.#at++;
        list.push(this.#nested(indent, false));
      } else if (isSequenceEntry(rest)) {
        throw DECLINE; // `- - x`
      } else if (keyOf(rest) !== undefined) {
        // `- key: v`: a map whose keys line up with this first one.
        const column = indent + text.length - rest.length;
        texts[this.#at] = rest;
        indents[this.#at] = column;
        list.push(this.#map(column));
      } else {
        this.#at++;
        list.push(this.#inline(rest));
        this.#noContinuation(indent);
      }
    }
    return exact(list);
  }

  /** The value under `key:` or `-` with nothing after it: a deeper block, entries at the key's column, or null. */
  #nested(indent: number, entriesAtSameIndent: boolean): unknown {
    if (this.#at >= this.#texts.length) return null;
    const next = this.#indents[this.#at]!;
    if (next > indent) return this.#block(next);
    if (entriesAtSameIndent && next === indent && isSequenceEntry(this.#texts[this.#at]!)) {
      return this.#sequence(indent);
    }
    return null;
  }

  /** A more indented line after a one-line value would be a multi-line scalar (or an error): yaml decides. */
  #noContinuation(indent: number): void {
    if (this.#at < this.#indents.length && this.#indents[this.#at]! > indent) throw DECLINE;
  }

  /** A value written on its key's or dash's line. */
  #inline(text: string): unknown {
    const c = text.charAt(0);
    if (c === '"' || c === "'") {
      const { value, end } = quoted(text, 0);
      endOfLine(text, end);
      return this.#shared(value);
    }
    if (c === '[') return this.#flowSequence(text);
    if (INDICATOR_START.has(c)) throw DECLINE;
    if ((c === '-' || c === '?' || c === ':') && (text.length === 1 || text.charCodeAt(1) === 32)) throw DECLINE;
    const comment = text.indexOf(' #');
    const plain = comment < 0 ? text : text.slice(0, comment).trimEnd();
    // `a: b: c` is an error; `a: b:` too; braces and brackets are left to the full parsers.
    if (plain.includes(': ') || plain.endsWith(':') || /[[\]{}]/.test(plain)) throw DECLINE;
    return this.#shared(this.#resolve(plain));
  }

  /** `[a, "b", 'c']` on one line, scalars only. */
  #flowSequence(text: string): unknown[] {
    const list: unknown[] = [];
    let i = 1;
    for (;;) {
      while (text.charCodeAt(i) === 32) i++;
      const c = text.charAt(i);
      if (c === ']' && list.length === 0) {
        i++;
        break;
      }
      if (c === '"' || c === "'") {
        const { value, end } = quoted(text, i);
        list.push(this.#shared(value));
        i = end;
      } else {
        let j = i;
        while (j < text.length && !',]'.includes(text.charAt(j))) j++;
        const plain = text.slice(i, j).trimEnd();
        if (plain === '' || INDICATOR_START.has(plain.charAt(0)) || /[:#[\]{}"']/.test(plain)) throw DECLINE;
        if ((plain.charAt(0) === '-' || plain.charAt(0) === '?') && (plain.length === 1 || plain.charAt(1) === ' ')) {
          throw DECLINE;
        }
        list.push(this.#shared(this.#resolve(plain)));
        i = j;
      }
      while (text.charCodeAt(i) === 32) i++;
      const sep = text.charAt(i++);
      if (sep === ']') break;
      if (sep !== ',') throw DECLINE;
      while (text.charCodeAt(i) === 32) i++;
      if (text.charAt(i) === ']') throw DECLINE; // a trailing comma: valid YAML, left to the full parsers
    }
    endOfLine(text, i);
    return exact(list);
  }
}

/**
 * The list as an exact-size array. One grown by `push` keeps room for 17 entries in V8, and a parsed list lives as
 * long as its resource: over 10,000 resources that slack was ~5 MB the scavenger copied twice (docs/benchmarks.md P3).
 */
function exact(list: unknown[]): unknown[] {
  return list.slice();
}

function isSequenceEntry(text: string): boolean {
  return text.charCodeAt(0) === 45 /* - */ && (text.length === 1 || text.charCodeAt(1) === 32);
}

/** The key of a `key: …` or `key:` line, or undefined when the line is not a plain-keyed map entry. */
function keyOf(text: string): string | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon > 1024 || (colon + 1 < text.length && text.charCodeAt(colon + 1) !== 32)) return undefined;
  // A letter or `_` first (a digit could make it a number), then letters, digits and `_ . / * -`.
  const first = text.charCodeAt(0);
  if (!(isLetter(first) || first === 95)) return undefined;
  for (let i = 1; i < colon; i++) {
    const c = text.charCodeAt(i);
    if (!(isLetter(c) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 47 || c === 42 || c === 45)) {
      return undefined;
    }
  }
  const key = text.slice(0, colon);
  // Keys a schema reads as null or a boolean are left to the full parsers.
  return RESERVED_KEYS.has(key) ? undefined : key;
}

/** `/^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE|__proto__)$/` as a Set: tried on every key. */
const RESERVED_KEYS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', '__proto__']);

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** A one-line quoted scalar starting at `start`: `'…'` with `''` for a quote, `"…"` without escapes. */
function quoted(text: string, start: number): { value: string; end: number } {
  const q = text.charAt(start);
  if (q === '"') {
    const close = text.indexOf('"', start + 1);
    if (close < 0) throw DECLINE;
    const value = text.slice(start + 1, close);
    if (value.includes('\\')) throw DECLINE;
    return { value, end: close + 1 };
  }
  let value = '';
  let i = start + 1;
  for (;;) {
    const close = text.indexOf("'", i);
    if (close < 0) throw DECLINE;
    value += text.slice(i, close);
    if (text.charAt(close + 1) !== "'") return { value, end: close + 1 };
    value += "'";
    i = close + 2;
  }
}

/** After a quoted scalar or a flow sequence: nothing, or a comment after a space. */
function endOfLine(text: string, end: number): void {
  if (end === text.length) return;
  const rest = text.slice(end);
  if (!/^ +#/.test(rest)) throw DECLINE;
}
