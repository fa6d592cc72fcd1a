import type { StateDocument } from './types.js';

/**
 * The state file's text: header fields first, then every object's keys sorted, two-space indent and a final newline,
 * so two commits that change one resource differ in exactly that resource's lines.
 */
export function stateDocumentJson(doc: StateDocument): string {
  const ordered = {
    format_version: doc.format_version,
    lineage: doc.lineage,
    serial: doc.serial,
    resources: doc.resources,
    pending: doc.pending,
  };
  return `${JSON.stringify(ordered, (_key, value: unknown) => sortKeys(value), 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  // The top-level header order above is deliberate; every nested object is sorted.
  if ('format_version' in record && 'lineage' in record) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) sorted[key] = record[key];
  return sorted;
}
