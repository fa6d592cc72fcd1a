/**
 * What the three renderers share: action symbols, the summary sentence, and value formatting that can never
 * print a secret (sensitive fields are masked, and every output is scrubbed of registered secret values).
 */
import { formatLocation, type CfgitopsError } from '../errors.js';
import { displayAddress, type ResourceAddress } from '../resources.js';
import { formatDuration } from '../duration.js';
import { secretScrubber, SENSITIVE } from '../secret.js';
import { findingsBesideSteps, problemKey } from './guardrail-mode.js';
import type { FieldChange, GuardrailFinding, Plan, PlanStep, PlanSummary, PlanWarning, StepAction } from './plan.js';

export interface RenderInput {
  /** Planning or guardrail errors to show with the plan. */
  errors?: readonly CfgitopsError[];
  /** Where the plan was made against; when given, the first line names it (and resources show account aliases). */
  target?: PlanTarget;
}

/**
 * What a reviewer must know before reading a plan: a fork PR planned against the embedded emulator must not read
 * like a real "6 to create".
 */
export interface PlanTarget {
  /** `Cloudflare API at https://… (API token)`, or the emulator. */
  describe: string;
  emulated: boolean;
  /** Config `accounts`: alias → account id. */
  accounts?: Readonly<Record<string, string>>;
}

/** The first line of a text or Markdown plan: the target (the emulator in capitals) and the accounts by alias. */
export function targetLine(target: PlanTarget): string {
  const where = target.emulated ? 'THE EMBEDDED EMULATOR — NOT CLOUDFLARE' : target.describe;
  const accounts = Object.entries(target.accounts ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([alias, id]) => `${alias} (${id})`);
  return `Plan against ${where}${accounts.length > 0 ? `; accounts: ${accounts.join(', ')}` : ''}`;
}

/** `Kind/alias/name` where the account has an alias in the config, else `Kind/account-id/name`. */
export function addressLabel(address: ResourceAddress, target: PlanTarget | undefined): string {
  return displayAddress(address, target?.accounts);
}

export const ACTION_SYMBOL: Record<StepAction, string> = {
  create: '+',
  update: '~',
  delete: '-',
  adopt: '<=',
  replace: '-/+',
  'replace-exposed': '!-/+',
  'roll-secret': '⟳',
  held: '||',
  rotate: '⟳',
  'delete-predecessor': '-',
  'remove-old-value': '-',
  forget: 'x',
  'no-op': ' ',
};

const SUMMARY_WORDS: [StepAction, string][] = [
  ['create', 'to create'],
  ['update', 'to update'],
  ['replace-exposed', 'exposed to replace'],
  ['replace', 'to replace'],
  ['adopt', 'to adopt'],
  ['roll-secret', 'to roll'],
  ['rotate', 'to rotate'],
  ['held', 'held for a decision'],
  ['delete', 'to delete'],
  ['delete-predecessor', 'predecessor(s) to delete'],
  ['remove-old-value', 'old value(s) to remove from a former sink'],
  ['forget', 'to forget'],
];

/** "Plan: 2 to create, 1 to update." or "No changes." */
export function summaryLine(summary: PlanSummary): string {
  if (!summary.hasChanges) return 'No changes.';
  const parts = SUMMARY_WORDS.filter(([a]) => summary.total[a] > 0).map(([a, w]) => `${summary.total[a]} ${w}`);
  // `configChanged` is absent in plans saved before it existed.
  if (summary.configChanged) parts.push('configuration changed');
  if (summary.annotationsToRecord) parts.push(`${summary.annotationsToRecord} prevent-destroy change(s) to record`);
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

/** The steps a reader sees: every change, and every resource with a guardrail finding (an in-sync one too). */
export function shownSteps(steps: readonly PlanStep[]): PlanStep[] {
  return steps.filter((s) => s.action !== 'no-op' || (s.guardrails?.length ?? 0) > 0);
}

/** The plan-wide errors and warnings, less the guardrail findings already shown beside their steps. */
export function planWideProblems(
  plan: Plan,
  errors: readonly CfgitopsError[],
): { errors: CfgitopsError[]; warnings: PlanWarning[] } {
  const beside = findingsBesideSteps(plan.steps);
  return {
    errors: errors.filter((e) => !beside.has(problemKey(e))),
    warnings: plan.warnings.filter((w) => !beside.has(problemKey({ ...w, location: w.source }))),
  };
}

/** `✗ guardrail tokenMaxLifetimeDays (enforce): token "ci" has no expires_on — tokens.yaml:3:1 /spec (hint)`. */
export function findingLine(f: GuardrailFinding): string {
  const mark = f.severity === 'error' ? '✗ guardrail error' : '⚠ guardrail warning';
  return `${mark}: ${f.rule} (${f.mode}): ${f.message} — ${formatLocation(f.location)} (${f.hint})`;
}

/** "2 guardrail errors and 14 guardrail warnings", for the summary. */
export function findingCounts(steps: readonly PlanStep[]): string | undefined {
  const all = steps.flatMap((s) => s.guardrails ?? []);
  if (all.length === 0) return undefined;
  const errors = all.filter((f) => f.severity === 'error').length;
  const warnings = all.length - errors;
  const plural = (n: number, w: string) => `${n} guardrail ${w}${n === 1 ? '' : 's'}`;
  return [errors > 0 ? plural(errors, 'error') : '', warnings > 0 ? plural(warnings, 'warning') : '']
    .filter(Boolean)
    .join(' and ');
}

/**
 * Where a token step's value goes. An adoption that keeps the value (cfgitops.dev/on-adopt or tokens.onAdopt: keep)
 * sends nothing to the sink: saying "value → sink" there would tell a reviewer the opposite of what happens.
 */
export function sinkLine(step: PlanStep, sink: { sink: string; key: string }, quote: string, capital = false): string {
  const where = `sink ${quote}${sink.sink}${quote}, key ${quote}${sink.key}${quote}`;
  if (step.action === 'held') return `${capital ? 'N' : 'n'}o new value until decided: the one in ${where} stays`;
  if (step.action === 'remove-old-value') return `${capital ? 'T' : 't'}he value in use stays in ${where}`;
  const text =
    step.action === 'adopt' && step.rollValue !== true
      ? `value stays where it is used today; \`cfgitops rotate\` would deliver a new one to ${where}`
      : `value → ${where}${step.rollValue ? ' (new value)' : ''}`;
  return capital ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

/** One line per former sink the step removes an old value from, after the new value is delivered. */
export function removalLines(step: PlanStep, quote: string): string[] {
  return (step.removeOldValues ?? []).map(
    (r) => `then remove the old value from sink ${quote}${r.sink}${quote}, key ${quote}${r.key}${quote}`,
  );
}

/**
 * What a `rotate` step does to the token in force and its successor, in one line: a reviewer must see that an
 * overlap keeps the old value working for the grace and a roll does not.
 */
export function rotationLine(step: PlanStep, quote: string): string | undefined {
  const r = step.rotation;
  if (!r) return undefined;
  if (r.strategy === 'roll') return `roll to generation ${r.generation}: same id, the old value stops working at once`;
  const grace = r.graceSeconds === undefined ? '' : ` ${formatDuration(r.graceSeconds * 1000)}`;
  const successor =
    r.successor === 'adopt'
      ? `adopt the successor ${r.successorId ?? ''} an interrupted run created`
      : r.successor === 'recorded'
        ? 'the successor is recorded'
        : `create a successor (generation ${r.generation})`;
  return `overlap: ${successor}; the predecessor ${step.targetId ?? ''} is renamed ${quote}${r.retiredName ?? ''}${quote} and expires${grace} after the new value is delivered`;
}

/** A held step's question and the ways to answer it, one line each. */
export function decisionLines(step: PlanStep): string[] {
  const d = step.decision;
  if (!d) return [];
  return [`DECISION NEEDED: ${d.question}`, ...d.how.map((h) => `  - ${h}`)];
}

export function stepTitle(step: PlanStep, target?: PlanTarget): string {
  return `${ACTION_SYMBOL[step.action]} ${step.action} ${addressLabel(step.address, target)}`;
}

export function formatValue(value: unknown, sensitive = false): string {
  if (sensitive) return SENSITIVE;
  if (value === undefined) return '(none)';
  return JSON.stringify(value) ?? `(${typeof value})`;
}

/**
 * A change as diff lines, the symbol always in the first column (GitHub colours ```diff blocks by it):
 * `~ /ip: "a" → "b"`, `+ /name: "x"`, `- /name: "x"`; a set-valued field as a header and one line per member,
 * `+ /policies/0/permission_groups:` then `+     DNS Read` (the header's symbol: `+` only additions, `-` only
 * removals, `~` both).
 */
export function diffLines(c: FieldChange): string[] {
  if (c.added !== undefined || c.removed !== undefined) {
    const added = c.added ?? [];
    const removed = c.removed ?? [];
    const symbol = removed.length === 0 ? '+' : added.length === 0 ? '-' : '~';
    return [`${symbol} ${c.path}:`, ...added.map((m) => `+     ${m}`), ...removed.map((m) => `-     ${m}`)];
  }
  const sensitive = c.sensitive === true;
  if (!('before' in c) || c.before === undefined) return [`+ ${c.path}: ${formatValue(c.after, sensitive)}`];
  if (!('after' in c) || c.after === undefined) return [`- ${c.path}: ${formatValue(c.before, sensitive)}`];
  return [`~ ${c.path}: ${formatValue(c.before, sensitive)} → ${formatValue(c.after, sensitive)}`];
}

export function errorLine(e: CfgitopsError): string {
  const where = e.location ? `${formatLocation(e.location)} ` : '';
  return `${e.code} ${where}${e.message}${e.hint ? ` (${e.hint})` : ''}`;
}

/** The last line of defence: no registered secret value (nor its base64 / URL forms) leaves a renderer. */
export function scrub(text: string): string {
  return secretScrubber.scrub(text);
}
