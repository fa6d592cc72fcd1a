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
    resources: sortedDeep(doc.resources),
    pending: sortedDeep(doc.pending),
    ...(doc.applied_config ? { applied_config: sortedDeep(doc.applied_config) } : {}),
  };
  // Sorting first and stringifying without a replacer is several times faster than a sorting replacer.
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

function sortedDeep(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(sortedDeep);
  const record = value as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) sorted[key] = sortedDeep(record[key]);
  return sorted;
}
