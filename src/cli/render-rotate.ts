/**
 * What `rotate` did (or, with --dry-run, would do), token by token — address, id, sink, result — for people
 * (text), for machines (`--format json`: one document) and for GitHub step summaries (markdown). Never a value:
 * the report is built from state records and step outcomes, which hold ids and sink references only.
 */
import type { CfgitopsErrorJson } from '../errors.js';
import type { ApplyCounts } from '../executor/apply-result.js';
import { escapeMarkdownText } from '../github/step-summary.js';
import { addressKey, displayAddress, type ResourceAddress } from '../resources.js';
import type { SinkRef } from '../state/types.js';
import type { RotateOutcome, RotateSkip } from '../workflow/rotate.js';
import { formatAge } from '../duration.js';
import type { PlanFormat } from './options.js';

export type RotatedStatus = 'rotated' | 'failed' | 'not-run' | 'would-rotate';

export interface RotatedToken {
  /** As the Config names the account (`AccountToken/main/ci`). */
  address: string;
  kind: ResourceAddress['kind'];
  account: string;
  name: string;
  id: string;
  /** overlap: the predecessor, whose old value keeps working for `graceSeconds`; `id` is the successor's. */
  previousId?: string;
  /** `sink#key`: where the new value went (or would go). */
  sink: string;
  status: RotatedStatus;
  /**
   * How (docs/rotation.md): `roll` gives `id` a new value; `overlap` delivers a successor token's value and `id`
   * (the predecessor) keeps working for `graceSeconds`. Absent for --dry-run (the reason names the strategy).
   */
  strategy?: 'overlap' | 'roll';
  graceSeconds?: number;
  reason: string;
  error?: CfgitopsErrorJson;
}

export interface RotateReport {
  outcome: RotateOutcome['kind'];
  ok: boolean;
  interrupted?: string;
  tokens: RotatedToken[];
  /** Selected tokens this run did not roll, and why. */
  skipped: RotateSkip[];
  /** Values rolled at Cloudflare that did not reach their sink (the next apply rolls them again). */
  undelivered: { address: string; id: string; sink: string; where: string }[];
  counts?: ApplyCounts;
  /** Expired predecessors of earlier overlap rotations, deleted before their token's new rotation. */
  predecessorsDeleted?: number;
}

const sinkText = (sink: SinkRef | undefined): string => (sink ? `${sink.sink}#${sink.key}` : '(none)');

export function rotateReport(outcome: RotateOutcome, interruptedBy?: string): RotateReport {
  const aliases = outcome.accounts;
  const token = (
    address: ResourceAddress,
    id: string,
    sink: SinkRef | undefined,
    status: RotatedStatus,
    reason: string,
  ): RotatedToken => ({
    address: displayAddress(address, aliases),
    kind: address.kind,
    account: address.account,
    name: address.name,
    id,
    sink: sinkText(sink),
    status,
    reason,
  });
  const base = { outcome: outcome.kind, skipped: outcome.skipped, undelivered: [] };
  const interrupted = interruptedBy !== undefined ? { interrupted: interruptedBy } : {};
  switch (outcome.kind) {
    case 'dry-run':
      return {
        ...base,
        ok: outcome.skipped.length === 0,
        tokens: outcome.selected.map((t) => token(t.record, t.record.id, t.record.sink, 'would-rotate', t.reason)),
      };
    case 'nothing':
      return { ...base, ok: outcome.skipped.length === 0, tokens: [] };
    case 'rotated': {
      const byStep = new Map(outcome.result.steps.map((s) => [s.stepId, s]));
      // An expired predecessor deleted first (a token has one predecessor at a time) is counted, not listed.
      const rotations = outcome.plan.steps.filter((s) => s.action !== 'delete-predecessor');
      const tokens = rotations.map((step): RotatedToken => {
        const done = byStep.get(step.id);
        const status: RotatedStatus =
          done?.status === 'succeeded' ? 'rotated' : done?.status === 'failed' ? 'failed' : 'not-run';
        const strategy = step.rotation?.strategy ?? 'roll';
        const grace = step.rotation?.graceSeconds;
        const rotatedId = step.targetId ?? '';
        // The id holding the value now: an overlap's successor once it is recorded, else the rolled token itself.
        const nowId = outcome.state.resources[addressKey(step.address)]?.id ?? rotatedId;
        return {
          ...token(step.address, nowId, step.sink, status, step.reason),
          ...(nowId !== rotatedId ? { previousId: rotatedId } : {}),
          strategy,
          ...(strategy === 'overlap' && grace !== undefined ? { graceSeconds: grace } : {}),
          ...(done?.error ? { error: done.error.toJSON() } : {}),
        };
      });
      return {
        ...base,
        ...interrupted,
        ok: outcome.result.ok && outcome.skipped.length === 0 && interruptedBy === undefined,
        tokens,
        undelivered: outcome.result.undelivered.map((u) => ({
          address: displayAddress(u.address, aliases),
          id: u.tokenId,
          sink: sinkText(u.sink),
          where: u.sinkDescription,
        })),
        counts: outcome.result.counts,
        predecessorsDeleted: outcome.plan.steps.length - rotations.length,
      };
    }
  }
}

export function renderRotate(format: PlanFormat, report: RotateReport): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'markdown':
      return renderMarkdown(report);
    case 'text':
      return renderText(report);
  }
}

const MARK: Record<RotatedStatus, string> = { rotated: '✓', failed: '✗', 'not-run': '-', 'would-rotate': '~' };

function headline(report: RotateReport): string {
  const n = report.tokens.length;
  const rotated = report.tokens.filter((t) => t.status === 'rotated').length;
  switch (report.outcome) {
    case 'dry-run':
      return n === 0 ? 'No token would be rotated.' : `Would rotate ${n} token(s):`;
    case 'nothing':
      return 'No token needed rotating.';
    case 'rotated':
      return rotated === n && report.ok
        ? `Rotated ${n} token(s): ${byStrategy(report.tokens, report.predecessorsDeleted ?? 0)}.`
        : `Rotation finished with errors: ${rotated} of ${n} token value(s) rotated:`;
  }
}

function renderText(report: RotateReport): string {
  const lines = [headline(report)];
  for (const t of report.tokens) {
    const detail =
      t.status === 'failed'
        ? `: ${t.error?.message ?? 'failed'}`
        : t.status === 'not-run'
          ? ' (not rolled: the run stopped early)'
          : t.status === 'would-rotate'
            ? ` — ${t.reason}`
            : ` (${how(t)})`;
    lines.push(`  ${MARK[t.status]} ${t.address} (id ${t.id}) → ${t.sink}${detail}`);
  }
  for (const u of report.undelivered) {
    lines.push(
      `! the new value of ${u.address} (${u.id}) did not reach ${u.where}; it is recorded as undelivered and the next apply rolls it and delivers the new value`,
    );
  }
  if (report.outcome === 'rotated' && !report.ok && report.skipped.length === 0) {
    lines.push('What succeeded is recorded in state; run rotate (or apply) again after fixing the cause.');
  }
  return `${lines.join('\n')}\n`;
}

/** What a person must know after a rotation: which old values still work. */
function byStrategy(tokens: readonly RotatedToken[], predecessorsDeleted: number): string {
  const overlap = tokens.filter((t) => t.strategy === 'overlap').length;
  const parts: string[] = [];
  if (overlap > 0) {
    parts.push(
      `${overlap} by overlap (a successor token delivered to the sink; the old value works until its grace ends)`,
    );
  }
  const rolled = tokens.length - overlap;
  if (rolled > 0) parts.push(`${rolled} by roll (same id, new value; the old value no longer works)`);
  if (predecessorsDeleted > 0) parts.push(`${predecessorsDeleted} expired predecessor(s) deleted first`);
  return parts.join('; ');
}

/** The per-token note: the headline says what each strategy means. */
function how(t: RotatedToken): string {
  if (t.strategy !== 'overlap') return 'roll';
  const old = t.previousId === undefined ? 'the old value' : `the old value (id ${t.previousId})`;
  return t.graceSeconds === undefined
    ? `overlap: ${old} works until its grace ends`
    : `overlap: ${old} works for ${formatAge(t.graceSeconds * 1000)} more`;
}

function renderMarkdown(report: RotateReport): string {
  const icon = report.ok ? '✅' : '❌';
  const lines = [`### ${icon} cfgitops rotate: ${escapeMarkdownText(headline(report).replace(/:$/, ''))}`, ''];
  if (report.tokens.length > 0) {
    lines.push('| token | id | sink | result |', '|---|---|---|---|');
    for (const t of report.tokens) {
      const result =
        t.status === 'failed'
          ? `failed: ${t.error?.message ?? ''}`
          : `${t.status}${t.strategy ? ` (${t.strategy})` : ''}`;
      lines.push(
        `| \`${escapeMarkdownText(t.address)}\` | \`${t.id}\` | \`${escapeMarkdownText(t.sink)}\` | ${escapeMarkdownText(result)} |`,
      );
    }
  }
  for (const s of report.skipped)
    lines.push('', `- not rotated: \`${escapeMarkdownText(s.resource)}\`: ${escapeMarkdownText(s.why)}`);
  return `${lines.join('\n')}\n`;
}
