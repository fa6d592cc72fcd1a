import type { QueryResult, QueryResultRow } from 'pg';
import { checkStateDocument } from './check-state-document.js';
import type { AppliedConfig, Intent, RecordedResource, StateDocument } from './types.js';

/** What both a pool and a single connection offer. */
export interface Queryable {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/**
 * The workspace's document, or undefined if it has never been written. Run it inside a REPEATABLE READ transaction
 * so the header and the rows come from one snapshot. Checked like a state file: a row cfgitops did not write, or a
 * newer format, stops the run.
 */
export async function readPostgresState(
  q: Queryable,
  workspace: string,
  describe: string,
): Promise<StateDocument | undefined> {
  const head = await q.query<{
    format_version: number;
    lineage: string;
    serial: string;
    applied_config: AppliedConfig | null;
  }>('SELECT format_version, lineage, serial, applied_config FROM cfgitops_workspaces WHERE workspace = $1', [
    workspace,
  ]);
  const row = head.rows[0];
  if (row === undefined) return undefined;
  // Plain rows: measured faster than aggregating into one JSON value server-side (jsonb_object_agg sorts and
  // rebuilds every document).
  const resources = await q.query<{ key: string; doc: RecordedResource }>(
    'SELECT key, doc FROM cfgitops_resources WHERE workspace = $1',
    [workspace],
  );
  const intents = await q.query<{ id: string; doc: Intent }>(
    'SELECT id, doc FROM cfgitops_intents WHERE workspace = $1',
    [workspace],
  );
  const doc = {
    format_version: row.format_version,
    lineage: row.lineage,
    serial: Number(row.serial),
    resources: Object.fromEntries(resources.rows.map((r) => [r.key, r.doc])),
    pending: Object.fromEntries(intents.rows.map((r) => [r.id, r.doc])),
    ...(row.applied_config !== null ? { applied_config: row.applied_config } : {}),
  };
  return checkStateDocument(doc, describe);
}
