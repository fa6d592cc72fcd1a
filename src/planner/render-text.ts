/**
 * The plan as terminal text: configuration changes first (highlighted), one block per changed resource with its reason and field diff, warnings, errors,
 * and a summary line. ANSI colour only when asked (the CLI decides from the TTY and NO_COLOR).
 */
import { formatLocation } from '../errors.js';
import type { Plan, StepAction } from './plan.js';
import {
  CONFIG_CHANGES_TITLE,
  configChanges,
  decisionLines,
  diffLines,
  errorLine,
  findingCounts,
  findingLine,
  planWideProblems,
  removalLines,
  rotationLine,
  scrub,
  shownSteps,
  sinkLine,
  stepTitle,
  summaryLine,
  targetLine,
  type RenderInput,
} from './render-common.js';

export interface TextRenderOptions extends RenderInput {
  color?: boolean;
}

const COLOR: Record<StepAction, string> = {
  create: '32',
  update: '33',
  delete: '31',
  adopt: '36',
  replace: '35',
  'replace-exposed': '1;31',
  'roll-secret': '34',
  held: '1;33',
  rotate: '34',
  'delete-predecessor': '31',
  'remove-old-value': '31',
  forget: '90',
  'no-op': '0',
};

export function renderText(plan: Plan, options: TextRenderOptions = {}): string {
  const paint = (code: string, text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const paintDiff = (line: string) => paint(line.startsWith('+') ? '32' : line.startsWith('-') ? '31' : '33', line);
  const lines: string[] = options.target ? [paint('1', targetLine(options.target)), ''] : [];
  const config = configChanges(plan);
  if (config.length > 0) {
    // Before the resources, in reverse video: where token values go and what guardrails allow matter most.
    lines.push(paint('1;7;33', `⚠ ${CONFIG_CHANGES_TITLE}`));
    for (const line of config.flatMap(diffLines)) lines.push(`    ${paintDiff(line)}`);
    lines.push('');
  }
  for (const step of shownSteps(plan.steps)) {
    const where = step.source ? `  (${formatLocation({ ...step.source, pointer: '' })})` : '';
    lines.push(paint(COLOR[step.action], stepTitle(step, options.target)) + where);
    lines.push(`    ${step.reason}`);
    if (step.targetId !== undefined) lines.push(`    id: ${step.targetId}`);
    for (const line of decisionLines(step)) lines.push(`    ${paint('1;33', line)}`);
    // An in-sync step is shown for its guardrail findings only: its value goes nowhere.
    if (step.sink && step.action !== 'no-op') lines.push(`    ${sinkLine(step, step.sink, '')}`);
    for (const line of removalLines(step, '')) lines.push(`    ${line}`);
    const rotation = rotationLine(step, '"');
    if (rotation !== undefined) lines.push(`    ${rotation}`);
    for (const line of step.diff.flatMap(diffLines)) lines.push(`      ${paintDiff(line)}`);
    if (step.dependsOn.length > 0) lines.push(`    after: ${step.dependsOn.join(', ')}`);
    for (const f of step.guardrails ?? [])
      lines.push(`    ${paint(f.severity === 'error' ? '31' : '33', findingLine(f))}`);
    lines.push('');
  }
  const { errors, warnings } = planWideProblems(plan, options.errors ?? []);
  for (const w of warnings) lines.push(paint('33', `Warning: ${w.message}`));
  for (const e of errors) lines.push(paint('31', `Error: ${errorLine(e)}`));
  if (warnings.length > 0 || errors.length > 0) lines.push('');
  const inSync = plan.summary.total['no-op'];
  const findings = findingCounts(plan.steps);
  lines.push(
    paint('1', summaryLine(plan.summary)) +
      (inSync > 0 ? ` ${inSync} in sync.` : '') +
      (findings ? ` ${findings}, shown beside their resources.` : ''),
  );
  if ((options.errors?.length ?? 0) > 0) {
    lines.push(paint('31', 'This plan has errors: it cannot be applied until they are fixed.'));
  }
  return scrub(`${lines.join('\n')}\n`);
}
