/**
 * The end of an apply, for humans (text) and for machines (`--format json`): what changed, what failed and why,
 * which token values did not reach their sink and what happens next. Never a secret: outcomes carry errors (whose
 * messages sinks and the client keep free of values, scrubbed again on output) and addresses only.
 */
import type { CfgitopsErrorJson } from '../errors.js';
import type { ApplyCounts, ApplyResult, StepOutcome, UndeliveredValue } from '../executor/apply-result.js';
import { addressKey, displayAddress, type AccountAliases, type ResourceAddress } from '../resources.js';

export interface ApplyResultContext {
  /** What the API client retried or recovered, by cause (the summary says it, so flakiness is visible). */
  retries?: Readonly<Record<string, number>>;
  /**
   * The plan changed the sink/guardrail configuration: `recorded` says whether this apply recorded it (only when
   * every step succeeded and every value was delivered). Absent: the plan changed no configuration.
   */
  config?: { recorded: boolean };
  /** The Config's account aliases, for showing addresses as `AccountToken/main/ci`. */
  aliases?: AccountAliases;
}

export function renderApplyResult(result: ApplyResult, context: ApplyResultContext = {}): string {
  const lines: string[] = [];
  const { counts } = result;
  for (const step of result.steps) {
    if (step.status === 'succeeded') lines.push(`✓ ${describe(step, context.aliases)}`);
    if (step.status === 'failed')
      lines.push(`✗ ${describe(step, context.aliases)}: ${step.error?.format() ?? 'failed'}`);
  }
  const skipped = result.steps.filter((s) => s.status === 'skipped');
  if (skipped.length > 0) {
    lines.push(`Skipped ${skipped.length} step(s):`);
    for (const s of skipped) {
      const why = s.skipReason === 'halted' ? 'the run stopped early' : `depends on ${(s.blockedBy ?? []).join(', ')}`;
      lines.push(`  - ${describe(s, context.aliases)} (${why})`);
    }
  }
  // A failed step already told the whole story of its undelivered value (sink, reason, what happens next).
  for (const u of unexplained(result)) {
    lines.push(
      `! the value of token ${displayAddress(u.address, context.aliases)} (${u.tokenId}) did not reach ${u.sinkDescription}; ` +
        'it is recorded as undelivered and the next apply rolls it and delivers the new value',
    );
  }
  lines.push(summaryLine(result.ok, counts, result.undelivered.length, context.config));
  const retried = Object.entries(context.retries ?? {}).filter(([, n]) => n > 0);
  if (retried.length > 0) lines.push(`API retries: ${retried.map(([cause, n]) => `${n} × ${cause}`).join(', ')}.`);
  if (result.halted) lines.push('The run was interrupted; run apply again to finish.');
  return lines.join('\n') + '\n';
}

function summaryLine(
  ok: boolean,
  counts: ApplyCounts,
  undelivered: number,
  config: ApplyResultContext['config'],
): string {
  const changed = counts.succeeded;
  if (ok) {
    if (config?.recorded === true) {
      return changed === 0
        ? 'Apply complete: the configuration was recorded; no resource needed changing.'
        : `Apply complete: ${changed} change(s) applied and the configuration was recorded.`;
    }
    return `Apply complete: ${changed} change(s) applied.`;
  }
  const values = undelivered > 0 ? `, ${undelivered} token value(s) undelivered` : '';
  const configNote = config ? ' The configuration changes were not recorded: the next plan shows them again.' : '';
  return (
    `Apply finished with errors: ${changed} applied, ${counts.failed} failed, ${counts.skipped} skipped${values}. ` +
    `What succeeded is recorded in state; run apply again after fixing the cause.${configNote}`
  );
}

/** Undelivered values whose step did not fail with E_VALUE_UNDELIVERED (so nothing else mentions them). */
function unexplained(result: ApplyResult): UndeliveredValue[] {
  const told = new Set(
    result.steps
      .filter((s) => s.status === 'failed' && s.error?.code === 'E_VALUE_UNDELIVERED')
      .map((s) => addressKey(s.address)),
  );
  return result.undelivered.filter((u) => !told.has(addressKey(u.address)));
}

function describe(step: StepOutcome, aliases: AccountAliases | undefined): string {
  return `${step.action} ${displayAddress(step.address, aliases)}`;
}

/** `apply --format json`: one document on stdout. */
export interface ApplyResultJson {
  outcome: 'applied' | 'no-changes' | 'declined';
  ok: boolean;
  target: string;
  halted: boolean;
  interrupted?: string;
  counts: ApplyCounts;
  steps: {
    id: string;
    action: string;
    address: ResourceAddress;
    status: string;
    error?: CfgitopsErrorJson;
    skipReason?: string;
    blockedBy?: string[];
  }[];
  undelivered: { address: ResourceAddress; tokenId: string; sink: string; key: string; where: string }[];
  configRecorded: boolean;
  retries: Readonly<Record<string, number>>;
}

export function applyResultJson(
  outcome: ApplyResultJson['outcome'],
  target: string,
  result: ApplyResult | undefined,
  extra: { configRecorded?: boolean; retries?: Readonly<Record<string, number>>; interrupted?: string } = {},
): ApplyResultJson {
  const counts = result?.counts ?? { total: 0, succeeded: 0, unchanged: 0, failed: 0, skipped: 0 };
  return {
    outcome,
    ok: outcome === 'no-changes' || (outcome === 'applied' && result?.ok === true && extra.interrupted === undefined),
    target,
    halted: result?.halted ?? false,
    ...(extra.interrupted !== undefined ? { interrupted: extra.interrupted } : {}),
    counts,
    steps: (result?.steps ?? []).map((s) => ({
      id: s.stepId,
      action: s.action,
      address: s.address,
      status: s.status,
      ...(s.error ? { error: s.error.toJSON() } : {}),
      ...(s.skipReason ? { skipReason: s.skipReason } : {}),
      ...(s.blockedBy ? { blockedBy: s.blockedBy } : {}),
    })),
    undelivered: (result?.undelivered ?? []).map((u) => ({
      address: u.address,
      tokenId: u.tokenId,
      sink: u.sink.sink,
      key: u.sink.key,
      where: u.sinkDescription,
    })),
    configRecorded: extra.configRecorded ?? false,
    retries: extra.retries ?? {},
  };
}
