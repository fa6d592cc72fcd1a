/**
 * The file backend's write-ahead log (`<state>.wal`): one line per commit, appended and fdatasync'ed, so a commit
 * costs O(change) instead of a rewrite of the whole document. Pure: encoding, parsing and folding; the file store does
 * the I/O.
 *
 * A line is `<crc32 of the JSON, 8 hex> <JSON of {lineage, serial, changes}>\n`. The checksum and the newline make a
 * record whose write was cut short by a crash (a torn tail: missing bytes, or zeros where the data never reached the
 * disk) recognisable. Only the last line can be torn: appends are serialised under the lock and a failed append is
 * truncated away, so an invalid line anywhere else is corruption and is reported, never skipped.
 *
 * Folding applies the records that follow the document's serial. Records at or below it were already compacted into
 * the document (a compaction writes the document, then removes the log; a crash between the two leaves such records),
 * and a log of another lineage belongs to a document that has since been replaced: both are ignored. A log that starts
 * after the document's serial (a gap) means the document is older than its log — restored from a backup, say — and is
 * refused.
 */
import { crc32 } from 'node:zlib';
import { CfgitopsError } from '../errors.js';
import { applyStateChangesInPlace, type StateChange, type StateDocument } from './types.js';

export interface WalRecord {
  lineage: string;
  /** The serial this commit produced: the previous record's (or the document's) + 1. */
  serial: number;
  changes: readonly StateChange[];
}

export function walRecordLine(record: WalRecord): string {
  const json = JSON.stringify({ lineage: record.lineage, serial: record.serial, changes: record.changes });
  return `${checksum(json)} ${json}\n`;
}

export interface ParsedWal {
  records: WalRecord[];
  /** The last line was incomplete or failed its checksum: a commit that never returned, ignored. */
  tornTail: boolean;
}

/** `file` names the log in errors. */
export function parseWal(text: string, file: string): ParsedWal {
  const lines = text.split('\n');
  // A complete log ends with a newline, so the last element is '' — unless the last write was cut short.
  const last = lines.pop();
  let tornTail = last !== undefined && last !== '';
  const records: WalRecord[] = [];
  for (const [i, line] of lines.entries()) {
    const record = decodeLine(line);
    if (record !== undefined) {
      records.push(record);
      continue;
    }
    if (i === lines.length - 1 && !tornTail) {
      tornTail = true;
      continue;
    }
    throw new CfgitopsError('E_STATE_CORRUPT', `${file}:${i + 1}: a write-ahead log record is damaged`, {
      location: { file, line: i + 1, col: 1 },
      hint: 'only the last record of the log can be cut short by a crash; restore the state file and its .wal from a backup',
    });
  }
  for (const [i, r] of records.entries()) {
    if (r.lineage !== records[0]!.lineage || r.serial !== records[0]!.serial + i) {
      throw new CfgitopsError(
        'E_STATE_CORRUPT',
        `${file}: record ${i + 1} (lineage ${r.lineage} serial ${r.serial}) does not follow the one before it`,
        { hint: 'restore the state file and its .wal from a backup' },
      );
    }
  }
  return { records, tornTail };
}

/**
 * Applies to `doc` (in place) the records that follow its serial; returns how many. `where` names the document and
 * its log in errors.
 */
export function foldWal(doc: StateDocument, wal: ParsedWal, where: string): number {
  const first = wal.records[0];
  if (first === undefined || first.lineage !== doc.lineage) return 0;
  if (first.serial > doc.serial + 1) {
    throw new CfgitopsError(
      'E_STATE_CORRUPT',
      `${where}: the write-ahead log continues from serial ${first.serial - 1}, but the state file is at serial ${doc.serial}`,
      {
        hint: 'the state file is older than its log (restored from a backup?); restore both together, or delete the .wal to keep the older state',
      },
    );
  }
  let applied = 0;
  for (const r of wal.records) {
    if (r.serial <= doc.serial) continue;
    applyStateChangesInPlace(doc, r.changes);
    doc.serial = r.serial;
    applied++;
  }
  return applied;
}

function decodeLine(line: string): WalRecord | undefined {
  const space = line.indexOf(' ');
  if (space !== 8) return undefined;
  const json = line.slice(9);
  if (line.slice(0, 8) !== checksum(json)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  return isWalRecord(value) ? value : undefined;
}

/** The envelope and each change's shape; the contents are checked with the folded document (checkStateDocument). */
function isWalRecord(v: unknown): v is WalRecord {
  if (!isObject(v)) return false;
  return (
    typeof v['lineage'] === 'string' &&
    Number.isSafeInteger(v['serial']) &&
    Array.isArray(v['changes']) &&
    v['changes'].every(isChange)
  );
}

function isChange(c: unknown): boolean {
  if (!isObject(c)) return false;
  switch (c['type']) {
    case 'put-resource':
      return isObject(c['resource']);
    case 'remove-resource':
      return typeof c['key'] === 'string';
    case 'put-intent':
      return isObject(c['intent']) && typeof c['intent']['id'] === 'string';
    case 'remove-intent':
      return typeof c['id'] === 'string';
    case 'put-config':
      return isObject(c['config']);
    default:
      return false;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checksum(json: string): string {
  return crc32(json).toString(16).padStart(8, '0');
}
