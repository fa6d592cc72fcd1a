/**
 * Where the `age` sink puts each armored value: one `<key>.age` file per token (`files`), or one entry per token in
 * a YAML or JSON document (`yaml`, `json`). All three are meant to be committed.
 */
import { join } from 'node:path';
import { yaml } from '../lazy-require.js';
import { parseJsonObject } from './file-sink.js';

export type AgeLayout = 'files' | 'yaml' | 'json';

/** A key usable as a file name: `[A-Za-z0-9._-]`, no leading dot (no hidden files, no `..`). */
export function ageFileKey(key: string): string {
  return key.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, (dots) => '_'.repeat(dots.length));
}

export function ageFilePath(dir: string, key: string): string {
  return join(dir, `${ageFileKey(key)}.age`);
}

const YAML_HEADER =
  '# Token values encrypted with age by cfgitops: safe to commit; decrypt with `age -d -i KEYFILE`.\n';

/** The document with `key` set to `armored` (a literal block in YAML, so each armor line stays a line). */
export function setArmoredEntry(
  layout: 'yaml' | 'json',
  current: string | undefined,
  key: string,
  armored: string,
): string {
  if (layout === 'json') {
    const doc = current === undefined || current.trim() === '' ? {} : parseJsonObject(current);
    doc[key] = armored;
    return `${JSON.stringify(doc, null, 2)}\n`;
  }
  const { Scalar, isMap, parseDocument } = yaml();
  const doc = parseDocument(current === undefined || current.trim() === '' ? YAML_HEADER : current);
  if (doc.errors.length > 0) throw new Error('not valid YAML');
  // A file holding only comments parses to null contents.
  if (doc.contents === null) doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
  if (!isMap(doc.contents)) throw new Error('not a YAML mapping');
  const node = new Scalar(armored);
  node.type = Scalar.BLOCK_LITERAL;
  doc.set(key, node);
  return doc.toString({ lineWidth: 0 });
}

/** The document without `key`, or undefined when it has no such entry. Throws when it is not a mapping. */
export function removeArmoredEntry(layout: 'yaml' | 'json', current: string, key: string): string | undefined {
  if (layout === 'json') {
    const doc = parseJsonObject(current);
    if (!Object.hasOwn(doc, key)) return undefined;
    delete doc[key];
    return `${JSON.stringify(doc, null, 2)}\n`;
  }
  const { isMap, parseDocument } = yaml();
  const doc = parseDocument(current);
  if (doc.errors.length > 0) throw new Error('not valid YAML');
  if (doc.contents === null) return undefined;
  if (!isMap(doc.contents)) throw new Error('not a YAML mapping');
  if (!doc.has(key)) return undefined;
  doc.delete(key);
  return doc.toString({ lineWidth: 0 });
}

/** The armored entry for `key`, or undefined. Throws when the document is not a mapping of strings. */
export function getArmoredEntry(layout: 'yaml' | 'json', text: string, key: string): string | undefined {
  if (layout === 'json') return parseJsonObject(text)[key];
  const doc = yaml().parseDocument(text);
  if (doc.errors.length > 0) throw new Error('not valid YAML');
  const v: unknown = doc.get(key);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new Error(`entry ${key} is not a string`);
  return v;
}
