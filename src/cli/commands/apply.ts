/**
 * `cfgitops apply [PLAN | DIR]`: apply a saved plan (refused when stale), or plan and apply in one go. Asks for
 * confirmation on a terminal unless --auto-approve; never waits for input elsewhere. `--format json` prints the
 * result as one JSON document (outcome per step, counts, undelivered values; never a secret). Exit 0 when everything
 * was applied, 1 otherwise (what succeeded is recorded in state either way).
 */
import { stat } from 'node:fs/promises';
import { createApp, type App } from '../../app.js';
import { applyWorkflow, nonInteractiveRefusal } from '../../workflow/apply-workflow.js';
import { askYes, canAsk } from '../confirm.js';
import {
  DEFAULT_DIR,
  emulatorOption,
  formatOption,
  lockTimeoutOption,
  lockTimeoutSeconds,
  pruneOptions,
} from '../options.js';
import { applyResultJson, renderApplyResult } from '../render-apply-result.js';
import { planTarget, renderPlanAs } from '../render-plan.js';
import type { CommandRegistrar } from '../registrar.js';
import { announceTarget } from './plan.js';
import { progressReporter } from '../progress.js';
import { handleInterrupts, interruptedNotice } from '../interrupt.js';

export interface ApplyCommandOptions {
  source: string;
  autoApprove: boolean;
  prune: boolean;
  allowMassDelete: boolean;
  emulator: boolean;
  lockTimeoutSeconds?: number;
  concurrency?: number;
  /** The result: `text` for people, `json` (one document on stdout; the plan goes to stderr) for machines. */
  format?: ApplyFormat;
}

export const APPLY_FORMATS = ['text', 'json'] as const;
export type ApplyFormat = (typeof APPLY_FORMATS)[number];

export async function runApply(app: App, options: ApplyCommandOptions): Promise<number> {
  const isPlanFile = await stat(app.resolvePath(options.source)).then(
    (s) => s.isFile() && !/\.ya?ml$/i.test(options.source),
    () => false,
  );
  const json = options.format === 'json';
  const interrupt = handleInterrupts(app.output, 'steps');
  const progress = progressReporter(app);
  try {
    const outcome = await applyWorkflow(app, {
      source: isPlanFile ? { planFile: app.resolvePath(options.source) } : { dir: options.source },
      emulator: options.emulator,
      prune: options.prune,
      allowMassDelete: options.allowMassDelete,
      ...(options.lockTimeoutSeconds !== undefined ? { lockTimeoutSeconds: options.lockTimeoutSeconds } : {}),
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      signal: interrupt.signal,
      showPlan: (plan, target) => {
        progress.expect(plan, target.rateLimit);
        announceTarget(app, target);
        const text = renderPlanAs('text', plan, {
          color: app.output.isTTY && !json,
          target: planTarget(target),
        });
        if (json) app.output.err(text);
        else app.output.out(text);
      },
      confirm: async (_plan, target) => {
        // A saved plan was reviewed when it was made (and is refused if anything changed since), like Terraform.
        if (options.autoApprove || isPlanFile) return true;
        if (!canAsk(app)) throw nonInteractiveRefusal();
        return askYes(app, `Apply these changes to ${target.describe}?`);
      },
      onProgress: (event) => {
        progress.onProgress(event);
      },
    });
    progress.finish();
    const by = interrupt.interruptedBy();
    if (json) {
      const doc = applyResultJson(
        outcome.kind,
        outcome.target,
        outcome.kind === 'applied' ? outcome.result : undefined,
        {
          ...(outcome.kind === 'applied' ? { configRecorded: outcome.configRecorded } : {}),
          ...(outcome.kind === 'applied' && outcome.retries ? { retries: outcome.retries } : {}),
          ...(by !== undefined ? { interrupted: by } : {}),
        },
      );
      app.output.out(`${JSON.stringify(doc, null, 2)}\n`);
      if (by !== undefined) app.output.err(interruptedNotice(by, 'apply'));
      return doc.ok ? 0 : 1;
    }
    switch (outcome.kind) {
      case 'no-changes':
        app.output.out(`No changes: ${outcome.target} matches the manifests.\n`);
        return 0;
      case 'declined':
        app.output.out('Apply cancelled; nothing was changed.\n');
        return 1;
      case 'applied': {
        app.output.out(
          renderApplyResult(outcome.result, {
            ...(outcome.retries ? { retries: outcome.retries } : {}),
            ...(outcome.plan.summary.configChanged ? { config: { recorded: outcome.configRecorded } } : {}),
            aliases: outcome.accounts,
          }),
        );
        if (by !== undefined) app.output.err(interruptedNotice(by, 'apply'));
        return outcome.result.ok && by === undefined ? 0 : 1;
      }
    }
  } finally {
    interrupt.dispose();
    progress.finish();
  }
}

export const registerApply: CommandRegistrar = (program, setExitCode, environment) => {
  pruneOptions(
    program
      .command('apply')
      .description('apply a saved plan, or plan and apply a manifest directory')
      .argument('[plan-or-dir]', 'a file from `plan --out`, or a manifest directory', DEFAULT_DIR)
      .option('--auto-approve', 'do not ask for confirmation')
      .option('--concurrency <n>', 'steps in flight at once (default: config, 4)', (v) => Number.parseInt(v, 10))
      .addOption(formatOption(APPLY_FORMATS, 'text'))
      .addOption(lockTimeoutOption())
      .addOption(emulatorOption()),
  ).action(async (source: string, opts: Record<string, unknown>) => {
    const timeout = lockTimeoutSeconds(opts['lockTimeout'] as string | undefined);
    const concurrency = opts['concurrency'] as number | undefined;
    setExitCode(
      await runApply(createApp(environment), {
        source,
        autoApprove: opts['autoApprove'] === true,
        format: opts['format'] as ApplyFormat,
        prune: opts['prune'] === true,
        allowMassDelete: opts['allowMassDelete'] === true,
        emulator: opts['emulator'] === true,
        ...(timeout !== undefined ? { lockTimeoutSeconds: timeout } : {}),
        ...(concurrency !== undefined && concurrency > 0 ? { concurrency } : {}),
      }),
    );
  });
};
