/**
 * The end of an apply, for humans: what changed, what failed and why, which token values did not reach their sink
 * and what happens next. Never a secret: outcomes carry errors and addresses only.
 */
import type { ApplyResult, StepOutcome } from '../executor/apply-result.js';
import { addressKey } from '../resources.js';

/** `retries`: what the API client retried or recovered, by cause (the summary says it, so flakiness is visible). */
export function renderApplyResult(result: ApplyResult, retries: Readonly<Record<string, number>> = {}): string {
  const lines: string[] = [];
  const { counts } = result;
  for (const step of result.steps) {
    if (step.status === 'succeeded') lines.push(`✓ ${describe(step)}`);
    if (step.status === 'failed') lines.push(`✗ ${describe(step)}: ${step.error?.format() ?? 'failed'}`);
  }
  const skipped = result.steps.filter((s) => s.status === 'skipped');
  if (skipped.length > 0) {
    lines.push(`Skipped ${skipped.length} step(s):`);
    for (const s of skipped) {
      const why = s.skipReason === 'halted' ? 'the run stopped early' : `depends on ${(s.blockedBy ?? []).join(', ')}`;
      lines.push(`  - ${describe(s)} (${why})`);
    }
  }
  for (const u of result.undelivered) {
    lines.push(
      `! the value of token ${u.address.name} (${u.tokenId}) did not reach ${u.sinkDescription}; ` +
        'it is recorded as undelivered and the next apply rolls it and delivers the new value',
    );
  }
  const changed = counts.succeeded;
  const summary = result.ok
    ? `Apply complete: ${changed} change(s) applied.`
    : `Apply finished with errors: ${changed} applied, ${counts.failed} failed, ${counts.skipped} skipped. ` +
      'What succeeded is recorded in state; run apply again after fixing the cause.';
  lines.push(summary);
  const retried = Object.entries(retries).filter(([, n]) => n > 0);
  if (retried.length > 0) lines.push(`API retries: ${retried.map(([cause, n]) => `${n} × ${cause}`).join(', ')}.`);
  if (result.halted) lines.push('The run was interrupted; run apply again to finish.');
  return lines.join('\n') + '\n';
}

function describe(step: StepOutcome): string {
  return `${step.action} ${addressKey(step.address)}`;
}
