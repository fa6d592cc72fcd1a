/**
 * One manifest file's bytes → YAML documents with positions, or positioned errors. Pure: no fs.
 *
 * Decisions for hostile or odd input (also in schemas' descriptions and the README):
 * - over `maxFileBytes` → E_FILE_TOO_LARGE; not UTF-8 → E_FILE_ENCODING at the first bad byte (a BOM is fine);
 * - a file with no content at all (empty or whitespace only) → E_DOC_EMPTY: usually a truncated write or a forgotten
 *   file. A file holding only comments is a deliberate "disabled" file and is fine;
 * - empty documents in a stream (`---` next to `---`, a leading or trailing `---`, comments only) are skipped;
 * - YAML errors keep yaml's positions; duplicate keys and tab indentation get their own codes;
 * - alias expansion is capped (`maxAliasCount`) → E_YAML_ALIAS_LIMIT; more than `maxDocuments` → E_DOC_LIMIT;
 * - well-formed plain files take a fast path (fast-yaml.ts: js-yaml for values); everything else, and every error,
 *   goes through yaml 2 with exact positions.
 */
import type { Document, YAMLError } from 'yaml';
import { yaml } from '../lazy-require.js';
import { CfgitopsError, type ErrorCode } from '../errors.js';
import { createLocator, type Locate } from './document-locator.js';
import { fastParse, type FastDocument } from './fast-yaml.js';

export interface ManifestFile {
  /** As shown in messages. */
  path: string;
  /** Relative to the loaded directory, `/`-separated: what the digest covers. */
  relPath: string;
  /** Absolute directory of the file: `fromFile` paths are relative to it. */
  absDir: string;
  bytes: Uint8Array;
}

export interface ParseLimits {
  maxFileBytes: number;
  maxDocuments: number;
  maxAliasCount: number;
  /** YAML errors reported per file before the rest are summarised (a broken file cascades). */
  maxYamlErrors: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxFileBytes: 5 * 1024 * 1024,
  maxDocuments: 20_000,
  maxAliasCount: 100,
  maxYamlErrors: 20,
};

export interface ParsedDocument {
  file: ManifestFile;
  /** 0-based position in the file's stream (counting skipped empty documents). */
  index: number;
  value: unknown;
  locate: Locate;
}

export interface ParsedFile {
  documents: ParsedDocument[];
  errors: CfgitopsError[];
}

const decoder = new TextDecoder('utf-8', { fatal: true });

export function parseManifestFile(file: ManifestFile, limits: ParseLimits = DEFAULT_PARSE_LIMITS): ParsedFile {
  const whole = { file: file.path, line: 1, col: 1 };
  if (file.bytes.length > limits.maxFileBytes) {
    const mib = (limits.maxFileBytes / 1024 / 1024).toFixed(0);
    return fail('E_FILE_TOO_LARGE', `file is ${file.bytes.length} bytes, over the ${mib} MiB cap`, whole, {
      hint: 'split it into several files',
    });
  }
  let text: string;
  try {
    text = decoder.decode(file.bytes);
  } catch {
    const { line, col } = firstInvalidUtf8(file.bytes);
    return fail(
      'E_FILE_ENCODING',
      'file is not valid UTF-8',
      { file: file.path, line, col },
      {
        hint: 'save it as UTF-8',
      },
    );
  }
  if (text.trim() === '') {
    return fail('E_DOC_EMPTY', 'file is empty', whole, {
      hint: 'add a manifest or delete the file; a file holding only comments is allowed',
    });
  }

  const fast = fastParse(text, limits.maxDocuments);
  return fast ? fastResult(file, text, limits, fast) : parseWithYaml(file, text, limits);
}

/** Values from the fast path; positions other than a document's start come from yaml's path, parsed on demand. */
function fastResult(file: ManifestFile, text: string, limits: ParseLimits, fast: FastDocument[]): ParsedFile {
  let slow: ParsedDocument[] | undefined;
  const documents = fast.map((d, k): ParsedDocument => {
    // Only the start is kept by `locate`, not `d`: the parsed tree can go once the resource is built from it.
    const { line, col } = d;
    return {
      file,
      index: d.index,
      value: d.value,
      locate: (pointer, options) => {
        if (pointer !== '') {
          slow ??= parseWithYaml(file, text, limits).documents;
          const found = slow[k]?.locate(pointer, options);
          if (found !== undefined) return found;
        }
        return { file: file.path, line, col, pointer };
      },
    };
  });
  return { documents, errors: [] };
}

/** yaml 2 with positions: the path for anything the fast path declines, and for every error. */
export function parseWithYaml(file: ManifestFile, text: string, limits: ParseLimits): ParsedFile {
  const whole = { file: file.path, line: 1, col: 1 };
  const { LineCounter, parseAllDocuments } = yaml();
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  if (!Array.isArray(docs)) return { documents: [], errors: [] };
  const documents: ParsedDocument[] = [];
  const errors: CfgitopsError[] = [];
  const position = (offset: number) => ({ file: file.path, ...lineCounter.linePos(offset) });

  if (docs.length > limits.maxDocuments) {
    return fail('E_DOC_LIMIT', `file has ${docs.length} documents, over the cap of ${limits.maxDocuments}`, whole, {
      hint: 'split it into several files',
    });
  }
  let yamlErrors = 0;
  for (const [index, doc] of docs.entries()) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        if (yamlErrors++ < limits.maxYamlErrors) errors.push(yamlError(e, position(e.pos[0])));
      }
      continue;
    }
    const contents = doc.contents;
    if (contents === null || isEmptyNode(contents)) continue; // an empty document in a stream: skipped (see above)
    const start = contents.range?.[0] ?? doc.range[0];
    const locate = createLocator(file.path, doc, lineCounter, start);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
    } catch (e) {
      errors.push(aliasError(doc, e, locate, position(start)));
      continue;
    }
    documents.push({ file, index, value, locate });
  }
  if (yamlErrors > limits.maxYamlErrors) {
    errors.push(
      new CfgitopsError('E_YAML_SYNTAX', `${yamlErrors - limits.maxYamlErrors} more YAML errors not shown`, {
        location: whole,
        hint: 'fix the first ones; later errors often follow from them',
      }),
    );
  }
  return { documents, errors };
}

/** No content at all (yaml gives an empty null scalar); an explicit `null` or `~` is content, and not a map. */
function isEmptyNode(node: Document['contents']): boolean {
  if (node === null) return true;
  const range = node.range;
  return yaml().isScalar(node) && node.value === null && range != null && range[0] === range[1];
}

function fail(
  code: ErrorCode,
  message: string,
  location: { file: string; line: number; col: number },
  options: { hint: string },
): ParsedFile {
  return { documents: [], errors: [new CfgitopsError(code, message, { location, hint: options.hint })] };
}

const YAML_CODES: Readonly<Record<string, { code: ErrorCode; hint: string }>> = {
  DUPLICATE_KEY: { code: 'E_YAML_DUPLICATE_KEY', hint: 'remove or rename one of the two keys' },
  TAB_AS_INDENT: { code: 'E_YAML_TAB', hint: 'indent with spaces; YAML does not allow tabs there' },
};

function yamlError(e: YAMLError, location: { file: string; line: number; col: number }): CfgitopsError {
  const known = YAML_CODES[e.code];
  // yaml's message ends with a code-frame when prettyErrors is on; it is off, so this is one sentence.
  const message = e.message.split('\n')[0] ?? e.message;
  return new CfgitopsError(known?.code ?? 'E_YAML_SYNTAX', message, {
    location,
    hint: known?.hint ?? 'fix the YAML syntax',
  });
}

function aliasError(
  doc: Document,
  cause: unknown,
  locate: Locate,
  fallback: { file: string; line: number; col: number },
): CfgitopsError {
  const excessive = cause instanceof Error && /alias/i.test(cause.message);
  return new CfgitopsError(
    excessive ? 'E_YAML_ALIAS_LIMIT' : 'E_YAML_SYNTAX',
    excessive ? 'too many alias expansions in this document' : 'document could not be read',
    {
      location: doc.contents ? locate('') : fallback,
      hint: excessive ? 'manifests do not need YAML aliases; write the values out' : 'fix the YAML',
      cause,
    },
  );
}

/** 1-based line and column of the first byte that breaks UTF-8 (columns count characters before it). */
export function firstInvalidUtf8(bytes: Uint8Array): { line: number; col: number; offset: number } {
  let i = 0;
  let line = 1;
  let charsSinceLineStart = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0 || !validSequence(bytes, i, len)) break;
    if (b === 0x0a) {
      line++;
      charsSinceLineStart = 0;
    } else {
      charsSinceLineStart++;
    }
    i += len;
  }
  return { line, col: charsSinceLineStart + 1, offset: i };
}

function validSequence(bytes: Uint8Array, i: number, len: number): boolean {
  if (i + len > bytes.length) return false;
  const b0 = bytes[i]!;
  for (let k = 1; k < len; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return false;
  const b1 = bytes[i + 1] ?? 0;
  // Overlong forms and surrogates, as the WHATWG decoder rejects them.
  if (b0 === 0xe0 && b1 < 0xa0) return false;
  if (b0 === 0xed && b1 > 0x9f) return false;
  if (b0 === 0xf0 && b1 < 0x90) return false;
  if (b0 === 0xf4 && b1 > 0x8f) return false;
  return true;
}
