/**
 * The plan as a GitHub pull-request comment: summary line, a warning banner when anything is deleted or re-created,
 * a highlighted section for secret-sink and guardrail changes, counts per account, errors and guardrail findings, then one `<details>` per changed resource with its field
 * diff. Cut short with a note before GitHub's 65,536-character comment limit.
 */
import { accountAlias } from '../resources.js';
import type { Plan, PlanStep, StepAction } from './plan.js';
import {
  ACTION_SYMBOL,
  addressLabel,
  CONFIG_CHANGES_TITLE,
  configChanges,
  diffLines,
  errorLine,
  findingCounts,
  findingLine,
  planWideProblems,
  removalLines,
  rotationLine,
  scrub,
  shownSteps,
  decisionLines,
  sinkLine,
  summaryLine,
  targetLine,
  type PlanTarget,
  type RenderInput,
} from './render-common.js';

/** GitHub's limit on an issue or PR comment body. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export interface MarkdownRenderOptions extends RenderInput {
  /** Characters the comment may use (default: GitHub's limit). */
  maxLength?: number;
}

const COLUMNS: [StepAction, string][] = [
  ['create', 'create'],
  ['update', 'update'],
  ['delete', 'delete'],
  ['adopt', 'adopt'],
  ['replace', 'replace'],
  ['roll-secret', 'roll'],
  ['rotate', 'rotate'],
  ['forget', 'forget'],
  ['no-op', 'in sync'],
];

export function renderMarkdown(plan: Plan, options: MarkdownRenderOptions = {}): string {
  const limit = options.maxLength ?? GITHUB_COMMENT_LIMIT;
  const target = options.target;
  const head: string[] = target
    ? [`### cfgitops — ${escapeInline(targetLine(target))}`, '']
    : ['### cfgitops plan', ''];
  if (target?.emulated) {
    head.push(
      '> [!CAUTION]',
      '> Planned against the embedded emulator, not Cloudflare: this is what the manifests would create on an empty account.',
      '',
    );
  }
  head.push(`**${summaryLine(plan.summary)}**`, '');
  const { total } = plan.summary;
  // `replace-exposed` is absent from plans saved before it existed.
  const recreated = total.replace + (total['replace-exposed'] ?? 0);
  if (total.delete > 0 || recreated > 0) {
    const parts = [
      total.delete > 0 ? `deletes ${total.delete} resource(s)` : '',
      recreated > 0 ? `re-creates ${recreated} token(s) (new id and value)` : '',
    ].filter(Boolean);
    head.push('> [!WARNING]', `> This plan ${parts.join(' and ')}. Review carefully before applying.`, '');
  }
  head.push(...lifecycleAlerts(plan, target));
  const config = configChanges(plan);
  if (config.length > 0) {
    // Its own alert, before the resource table: a PR that only re-points a sink must stand out just the same.
    head.push(
      '> [!WARNING]',
      `> **⚠ ${CONFIG_CHANGES_TITLE}**`,
      '>',
      `> ${config.length} setting(s) differ from the last apply. Token values go to these sinks; guardrails decide what plans may do.`,
      '>',
      '> ````diff',
      ...config.flatMap(diffLines).map((line) => `> ${line.replaceAll('````', '```')}`),
      '> ````',
      '',
    );
  }
  const accounts = Object.keys(plan.summary.byAccount).sort();
  if (accounts.length > 0) {
    head.push(`| account | ${COLUMNS.map(([, h]) => h).join(' | ')} |`, `|---|${COLUMNS.map(() => '---:').join('|')}|`);
    for (const a of accounts) {
      const counts = plan.summary.byAccount[a]!;
      const alias = accountAlias(a, target?.accounts);
      const name = alias === undefined ? `\`${a}\`` : `${escapeInline(alias)} (\`${a}\`)`;
      head.push(`| ${name} | ${COLUMNS.map(([k]) => counts[k]).join(' | ')} |`);
    }
    head.push('');
  }
  const { errors, warnings } = planWideProblems(plan, options.errors ?? []);
  if ((options.errors?.length ?? 0) > 0) {
    head.push('> [!CAUTION]', '> This plan has errors: it cannot be applied until they are fixed.', '');
  }
  const findings = findingCounts(plan.steps);
  if (findings) head.push(`**Guardrails:** ${findings}, shown beside their resources below.`, '');
  if (errors.length > 0) {
    head.push(`#### ❌ Errors (${errors.length})`, '', ...errors.map((e) => `- ${escapeInline(errorLine(e))}`), '');
  }
  if (warnings.length > 0) {
    head.push(`#### ⚠️ Warnings (${warnings.length})`, '', ...warnings.map((w) => `- ${escapeInline(w.message)}`), '');
  }
  const noteRoom = 300;
  let out = `${head.join('\n')}\n`;
  if (out.length + noteRoom > limit) {
    // Thousands of errors or warnings: even the header is too long; cut it at a line boundary.
    out = `${out.slice(0, out.lastIndexOf('\n', limit - noteRoom))}\n`;
  }
  const steps = shownSteps(plan.steps);
  for (const [i, step] of steps.entries()) {
    const section = details(step, target);
    if (out.length + section.length + noteRoom > limit) {
      out += `\n_…${steps.length - i} more changed resource(s) not shown: the comment was truncated to fit GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString('en-US')}-character limit. Run \`cfgitops plan\` for the full plan._\n`;
      break;
    }
    out += section;
  }
  return scrub(out);
}

function details(step: PlanStep, target: PlanTarget | undefined): string {
  const where = step.source ? ` — \`${escapeHtml(step.source.file)}:${step.source.line}\`` : '';
  const summary = `<code>${escapeHtml(ACTION_SYMBOL[step.action])} ${step.action}</code> <code>${escapeHtml(addressLabel(step.address, target))}</code>${where}`;
  const body = [escapeInline(step.reason), ''];
  if (step.decision) body.push(...decisionLines(step).map(escapeInline), '');
  // An in-sync step is shown for its guardrail findings only: its value goes nowhere.
  if (step.sink && step.action !== 'no-op') body.push(sinkLine(step, step.sink, '`', true), '');
  const removals = removalLines(step, '`');
  if (removals.length > 0) body.push(...removals.map((l) => `${l.charAt(0).toUpperCase()}${l.slice(1)}`), '');
  const rotation = rotationLine(step, '`');
  if (rotation !== undefined) body.push(escapeInline(rotation), '');
  if (step.diff.length > 0)
    body.push('````diff', ...step.diff.flatMap(diffLines).map((line) => line.replaceAll('````', '```')), '````', '');
  const findings = step.guardrails ?? [];
  if (findings.length > 0) body.push(...findings.map((f) => `- ${escapeInline(findingLine(f))}`), '');
  // A guardrail error is why the plan cannot be applied: shown without a click.
  const open = findings.some((f) => f.severity === 'error') ? ' open' : '';
  const mark = findings.length === 0 ? '' : findings.some((f) => f.severity === 'error') ? ' ❌' : ' ⚠️';
  return `<details${open}><summary>${summary}${mark}</summary>\n\n${body.join('\n')}</details>\n`;
}

/** Exposed tokens and held steps above everything else: one is an incident, the other waits for a person. */
function lifecycleAlerts(plan: Plan, target: PlanTarget | undefined): string[] {
  const lines: string[] = [];
  const exposed = plan.steps.filter((s) => s.action === 'replace-exposed' || s.decision?.action === 'replace-exposed');
  if (exposed.length > 0) {
    lines.push(
      '> [!WARNING]',
      `> **Security incident: Cloudflare revoked ${exposed.length} token(s) as exposed** (a leaked value). Each is replaced by a new token and the leaked one deleted; find where the old value leaked.`,
      ...exposed.map((s) => `> - \`${escapeInline(addressLabel(s.address, target))}\` (id ${s.targetId ?? '?'})`),
      '',
    );
  }
  const held = plan.steps.filter((s) => s.action === 'held');
  if (held.length > 0) {
    lines.push(
      '> [!IMPORTANT]',
      `> **${held.length} step(s) wait for a decision** (nothing is done to them until it is made):`,
    );
    for (const s of held) {
      lines.push(
        `> - \`${escapeInline(addressLabel(s.address, target))}\`: ${escapeInline(s.decision?.question ?? s.reason)}`,
      );
      for (const how of s.decision?.how ?? []) lines.push(`>   - ${escapeInline(how)}`);
    }
    lines.push('');
  }
  return lines;
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Text in list items and paragraphs: no HTML, no table breaks. */
function escapeInline(text: string): string {
  return escapeHtml(text).replaceAll('|', '\\|');
}
