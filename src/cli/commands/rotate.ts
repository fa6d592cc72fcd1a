/**
 * `cfgitops rotate [NAME…] [--older-than 30d] [--strategy overlap|roll] [DIR]`: rotate token values now, each with
 * its rotation strategy (docs/rotation.md), journaled like an apply, with progress, and list each token rotated
 * (address, id, sink, strategy). `--dry-run` lists
 * what would rotate. `--format json` prints one document (also on failure); `--github` puts the report in the step
 * summary. Exit 0 when every selected token was rotated, 1 otherwise.
 */
import { createApp, type App, type AppEnvironment } from '../../app.js';
import type { RotationStrategy } from '../../config/types.js';
import { CfgitopsError, CfgitopsErrors } from '../../errors.js';
import { githubSettings, type GitHubRequest } from '../../github/github-flags.js';
import { rotateWorkflow } from '../../workflow/rotate.js';
import { handleInterrupts, interruptedNotice } from '../interrupt.js';
import { withJsonFailure } from '../json-failure.js';
import { parseDuration, type PlanFormat } from '../options.js';
import { progressReporter } from '../progress.js';
import { renderRotate, rotateReport, type RotateReport } from '../render-rotate.js';

export interface RotateCommandOptions {
  dir: string;
  names: string[];
  olderThan?: string;
  /** Overrides each token's own rotation strategy. */
  strategy?: RotationStrategy;
  dryRun: boolean;
  format: PlanFormat;
  emulator: boolean;
  lockTimeoutSeconds?: number;
  github?: GitHubRequest;
}

export async function rotateCommand(environment: AppEnvironment, options: RotateCommandOptions): Promise<number> {
  const app = createApp(environment);
  const github = githubSettings(app, options.github);
  try {
    return await withJsonFailure(options.format === 'json', app.output, async () => {
      const report = await runRotate(app, options);
      await github?.publish({ command: 'rotate', key: options.dir, markdown: renderRotate('markdown', report) });
      if (!report.ok && github) await github.publishFailure('rotate', options.dir, reportErrors(report));
      return report.ok ? 0 : 1;
    });
  } catch (e) {
    await github?.publishFailure('rotate', options.dir, e);
    throw e;
  }
}

/** Runs the rotation and prints its report; the caller turns `ok` into the exit code. */
export async function runRotate(app: App, options: RotateCommandOptions): Promise<RotateReport> {
  const olderThanMs = options.olderThan === undefined ? undefined : parseDuration(options.olderThan, '--older-than');
  // Progress bars only for people: JSON and Markdown go to files and pipes.
  const progress = progressReporter(app, 'rotate');
  const interrupt = handleInterrupts(app.output, 'rolls');
  try {
    const outcome = await rotateWorkflow(app, {
      dir: options.dir,
      names: options.names,
      ...(olderThanMs !== undefined ? { olderThanMs } : {}),
      ...(options.strategy !== undefined ? { strategy: options.strategy } : {}),
      dryRun: options.dryRun,
      emulator: options.emulator,
      ...(options.lockTimeoutSeconds !== undefined ? { lockTimeoutSeconds: options.lockTimeoutSeconds } : {}),
      signal: interrupt.signal,
      onProgress: (e) => {
        progress.onProgress(e);
      },
      onPlan: (plan, rateLimit) => {
        progress.expect(plan, rateLimit);
      },
    });
    progress.finish();
    for (const s of outcome.skipped) app.output.err(`! not rotating ${s.resource}: ${s.why}\n`);
    const by = outcome.kind === 'rotated' ? interrupt.interruptedBy() : undefined;
    const report = rotateReport(outcome, by);
    app.output.out(renderRotate(options.format, report));
    if (by !== undefined) app.output.err(interruptedNotice(by, 'rotate'));
    return report;
  } finally {
    interrupt.dispose();
    progress.finish();
  }
}

/** The failures of a report as errors, for `::error` annotations. */
function reportErrors(report: RotateReport): CfgitopsErrors {
  const errors = [
    ...report.tokens
      .filter((t) => t.status === 'failed')
      .map(
        (t) =>
          new CfgitopsError(
            t.error?.code ?? 'E_APPLY_PARTIAL',
            `${t.address} (${t.id}): ${t.error?.message ?? 'failed'}`,
          ),
      ),
    ...report.skipped.map((s) => new CfgitopsError('E_ROTATE_SKIPPED', `not rotated: ${s.resource}: ${s.why}`)),
  ];
  return new CfgitopsErrors(
    errors.length > 0 ? errors : [new CfgitopsError('E_ABORTED', 'the rotation was interrupted')],
  );
}
