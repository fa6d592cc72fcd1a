/**
 * The files `cfgitops export` writes: one per kind and account (`<account>/<kind file>.yaml` under the output
 * directory), each opening with the `yaml-language-server` modeline and a digest of its documents. The digest is
 * how a later export knows a file is still exactly what it wrote: only such a file is extended with new resources;
 * a file someone edited is never rewritten — new resources go to the next free `<kind file>.N.yaml` beside it.
 * Pure: existing files come in as text, the files to write go out as text.
 */
import { sha256 } from '../sha256.js';
import { yaml } from '../lazy-require.js';
import type { ResourceKind } from '../resources.js';
import { EXPORT_KINDS } from './export-kinds.js';
import type { ExportedResource } from './export-select.js';

const DIGEST_LINE = /^# cfgitops-export-digest: sha256:([0-9a-f]{64})\n/m;

export interface ExportFile {
  /** Relative to the output directory, `/`-separated. */
  path: string;
  kind: ResourceKind;
  accountRef: string;
  /** The resources this write adds (an append keeps what the file held). */
  added: ExportedResource[];
  action: 'create' | 'append';
  text: string;
  /** The content this write replaces (append): the workflow refuses if the file changed since it was read. */
  previous?: string;
  /** Files of this kind and account left alone because someone edited them. */
  leftAlone: string[];
  /** 1-based first line of each added document in `text`, in `added` order. */
  lines: number[];
}

export interface FileTargets {
  /** Existing files under the output directory by relative path (only `<account>/<kind file>[.N].yaml` matter). */
  existing: ReadonlyMap<string, string>;
  /** The modeline's schema reference for a file at this relative path. */
  schemaRef(path: string, kind: ResourceKind): string;
}

export function exportFiles(resources: readonly ExportedResource[], targets: FileTargets): ExportFile[] {
  const groups = new Map<string, ExportedResource[]>();
  for (const r of resources) {
    const key = `${r.accountRef}\u0000${r.kind}`;
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  const files: ExportFile[] = [];
  for (const added of groups.values()) {
    const first = added[0]!;
    const stem = `${first.accountRef}/${fileStem(first.kind)}`;
    const leftAlone: string[] = [];
    for (let n = 1; ; n++) {
      const path = n === 1 ? `${stem}.yaml` : `${stem}.${n}.yaml`;
      const previous = targets.existing.get(path);
      const header = renderHeader(first, targets.schemaRef(path, first.kind));
      if (previous === undefined) {
        files.push({
          path,
          kind: first.kind,
          accountRef: first.accountRef,
          added,
          action: 'create',
          leftAlone,
          ...compose(header, '', added),
        });
        break;
      }
      const body = unchangedBody(previous);
      if (body !== undefined) {
        files.push({
          path,
          kind: first.kind,
          accountRef: first.accountRef,
          added,
          action: 'append',
          previous,
          leftAlone,
          ...compose(header, body, added),
        });
        break;
      }
      leftAlone.push(path);
    }
  }
  return files;
}

export function fileStem(kind: ResourceKind): string {
  return EXPORT_KINDS.find((k) => k.kind === kind)?.file ?? kind.toLowerCase();
}

/** The file's documents when its digest still matches them (nobody edited it), else undefined. */
export function unchangedBody(text: string): string | undefined {
  const m = DIGEST_LINE.exec(text);
  if (!m) return undefined;
  const body = text.slice(m.index + m[0].length);
  return hexDigest(body) === m[1] ? body : undefined;
}

function compose(
  header: (digest: string) => string,
  body: string,
  added: readonly ExportedResource[],
): { text: string; lines: number[] } {
  let all = body;
  const starts: number[] = [];
  for (const r of added) {
    starts.push(lineCount(all));
    all += renderDocument(r);
  }
  const head = header(hexDigest(all));
  const offset = lineCount(head);
  // A document's content begins on the line after its `---` and comment.
  return { text: head + all, lines: starts.map((s) => offset + s + 3) };
}

function renderHeader(r: ExportedResource, schemaRef: string): (digest: string) => string {
  const account = r.accountRef === r.account ? r.account : `${r.accountRef} (${r.account})`;
  return (digest) =>
    `# yaml-language-server: $schema=${schemaRef}\n` +
    `# Written by \`cfgitops export\`: the ${r.kind} resources of account ${account}\n` +
    '# that cfgitops did not manage. Review and commit them: `cfgitops plan` then adopts each one as it is,\n' +
    '# changing nothing in Cloudflare.\n' +
    '# export adds new resources here only while this file is exactly as it wrote it (the digest below checks\n' +
    '# that); once you edit it, it is yours and export writes new resources to a file beside it.\n' +
    `# cfgitops-export-digest: sha256:${digest}\n`;
}

export function renderDocument(r: ExportedResource): string {
  // lineWidth 0: never fold a long name or description onto several lines (diffs stay one line per field).
  return `---\n# Cloudflare ${r.kind} "${oneLine(r.cfName)}", id ${r.id}\n${yaml().stringify(r.document, { lineWidth: 0 })}`;
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}

function lineCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function hexDigest(text: string): string {
  return sha256().update(text, 'utf8').digest('hex');
}
