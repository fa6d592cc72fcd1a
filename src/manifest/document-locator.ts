/**
 * JSON pointer → `file:line:col`, using the YAML node ranges and a LineCounter. A pointer to something that is not
 * in the document (a missing required field) lands on its nearest existing ancestor.
 */
import type { Document, LineCounter, Node } from 'yaml';
import { yaml } from '../lazy-require.js';
import type { SourceLocation } from '../errors.js';
import { parsePointer } from './json-pointer.js';

export type Locate = (pointer: string, options?: { key?: boolean }) => SourceLocation;

export function createLocator(file: string, doc: Document, lineCounter: LineCounter, docStart: number): Locate {
  const at = (offset: number, pointer: string): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col, pointer };
  };
  const { isAlias, isMap, isSeq } = yaml();
  return (pointer, options = {}) => {
    let node: unknown = doc.contents;
    let offset = rangeStart(node) ?? docStart;
    for (const segment of parsePointer(pointer)) {
      if (isAlias(node)) node = node.resolve(doc);
      let next: unknown;
      let keyNode: unknown;
      if (isMap(node)) {
        const pair = node.items.find((p) => keyString(p.key) === segment);
        if (!pair) break;
        keyNode = pair.key;
        next = pair.value;
      } else if (isSeq(node) && /^\d+$/.test(segment)) {
        next = node.items[Number(segment)];
        if (next === undefined) break;
      } else {
        break;
      }
      const valueStart = rangeStart(next);
      const keyStart = rangeStart(keyNode);
      offset = (options.key ? (keyStart ?? valueStart) : (valueStart ?? keyStart)) ?? offset;
      node = next;
    }
    return at(offset, pointer);
  };
}

function keyString(key: unknown): string | undefined {
  if (yaml().isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}
