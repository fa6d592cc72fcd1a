/**
 * What the three renderers share: action symbols, the summary sentence, and value formatting that can never
 * print a secret (sensitive fields are masked, and every output is scrubbed of registered secret values).
 */
import { formatLocation, type CfgitopsError } from '../errors.js';
import { addressKey } from '../resources.js';
import { secretScrubber, SENSITIVE } from '../secret.js';
import type { FieldChange, Plan, PlanStep, PlanSummary, StepAction } from './plan.js';

export interface RenderInput {
  /** Planning or guardrail errors to show with the plan. */
  errors?: readonly CfgitopsError[];
}

export const ACTION_SYMBOL: Record<StepAction, string> = {
  create: '+',
  update: '~',
  delete: '-',
  adopt: '<=',
  replace: '-/+',
  'roll-secret': '⟳',
  forget: 'x',
  'no-op': ' ',
};

const SUMMARY_WORDS: [StepAction, string][] = [
  ['create', 'to create'],
  ['update', 'to update'],
  ['replace', 'to replace'],
  ['adopt', 'to adopt'],
  ['roll-secret', 'to roll'],
  ['delete', 'to delete'],
  ['forget', 'to forget'],
];

/** "Plan: 2 to create, 1 to update." or "No changes." */
export function summaryLine(summary: PlanSummary): string {
  if (!summary.hasChanges) return 'No changes.';
  const parts = SUMMARY_WORDS.filter(([a]) => summary.total[a] > 0).map(([a, w]) => `${summary.total[a]} ${w}`);
  // `configChanged` is absent in plans saved before it existed.
  if (summary.configChanged) parts.push('configuration changed');
  return `Plan: ${parts.join(', ')}.`;
}

export const CONFIG_CHANGES_TITLE = 'Configuration changes: secret sinks and guardrails — review carefully';

/** The plan's config changes (absent in plans that do not compare config). */
export function configChanges(plan: Plan): readonly FieldChange[] {
  return plan.config_changes ?? [];
}

export function changedSteps(steps: readonly PlanStep[]): PlanStep[] {
  return steps.filter((s) => s.action !== 'no-op');
}

export function stepTitle(step: PlanStep): string {
  return `${ACTION_SYMBOL[step.action]} ${step.action} ${addressKey(step.address)}`;
}

export function formatValue(value: unknown, sensitive = false): string {
  if (sensitive) return SENSITIVE;
  if (value === undefined) return '(none)';
  return JSON.stringify(value) ?? `(${typeof value})`;
}

/** One diff line: `~ /ip: "a" → "b"`, `+ /name: "x"`, `- /name: "x"`. */
export function diffLine(c: FieldChange): string {
  const sensitive = c.sensitive === true;
  if (!('before' in c) || c.before === undefined) return `+ ${c.path}: ${formatValue(c.after, sensitive)}`;
  if (!('after' in c) || c.after === undefined) return `- ${c.path}: ${formatValue(c.before, sensitive)}`;
  return `~ ${c.path}: ${formatValue(c.before, sensitive)} → ${formatValue(c.after, sensitive)}`;
}

export function errorLine(e: CfgitopsError): string {
  const where = e.location ? `${formatLocation(e.location)} ` : '';
  return `${e.code} ${where}${e.message}${e.hint ? ` (${e.hint})` : ''}`;
}

/** The last line of defence: no registered secret value (nor its base64 / URL forms) leaves a renderer. */
export function scrub(text: string): string {
  return secretScrubber.scrub(text);
}
