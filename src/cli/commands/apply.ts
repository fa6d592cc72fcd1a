/**
 * `cfgitops apply [PLAN | DIR]`: apply a saved plan (refused when stale), or plan and apply in one go. Asks for
 * confirmation on a terminal unless --auto-approve; never waits for input elsewhere. Exit 0 when everything was
 * applied, 1 otherwise (what succeeded is recorded in state either way).
 */
import { stat } from 'node:fs/promises';
import { createApp, type App } from '../../app.js';
import { applyWorkflow, nonInteractiveRefusal } from '../../workflow/apply-workflow.js';
import { askYes, canAsk } from '../confirm.js';
import { DEFAULT_DIR, emulatorOption, lockTimeoutOption, lockTimeoutSeconds, pruneOptions } from '../options.js';
import { renderApplyResult } from '../render-apply-result.js';
import { renderPlanAs } from '../render-plan.js';
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
}

export async function runApply(app: App, options: ApplyCommandOptions): Promise<number> {
  const isPlanFile = await stat(app.resolvePath(options.source)).then(
    (s) => s.isFile() && !/\.ya?ml$/i.test(options.source),
    () => false,
  );
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
        announceTarget(app, target);
        app.output.out(renderPlanAs('text', plan, { color: app.output.isTTY, target: target.describe }));
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
    switch (outcome.kind) {
      case 'no-changes':
        app.output.out(`No changes: ${outcome.target} matches the manifests.\n`);
        return 0;
      case 'declined':
        app.output.out('Apply cancelled; nothing was changed.\n');
        return 1;
      case 'applied': {
        progress.finish();
        app.output.out(renderApplyResult(outcome.result, outcome.retries));
        const by = interrupt.interruptedBy();
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
      .addOption(lockTimeoutOption())
      .addOption(emulatorOption()),
  ).action(async (source: string, opts: Record<string, unknown>) => {
    const timeout = lockTimeoutSeconds(opts['lockTimeout'] as string | undefined);
    const concurrency = opts['concurrency'] as number | undefined;
    setExitCode(
      await runApply(createApp(environment), {
        source,
        autoApprove: opts['autoApprove'] === true,
        prune: opts['prune'] === true,
        allowMassDelete: opts['allowMassDelete'] === true,
        emulator: opts['emulator'] === true,
        ...(timeout !== undefined ? { lockTimeoutSeconds: timeout } : {}),
        ...(concurrency !== undefined && concurrency > 0 ? { concurrency } : {}),
      }),
    );
  });
};
