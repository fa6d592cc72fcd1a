/** `cfgitops apply [PLAN | DIR]`: see ../commands/apply.ts. */
import { InvalidArgumentError } from 'commander';
import type { ApplyCommandOptions } from '../commands/apply.js';
import {
  DEFAULT_DIR,
  emulatorOption,
  formatOption,
  githubOptions,
  githubRequest,
  lockTimeoutOption,
  lockTimeoutRequest,
  pruneOptions,
  TEXT_JSON,
  type GitHubFlags,
  type LockTimeoutFlags,
  type PruneFlags,
  type TextOrJson,
} from '../options.js';
import type { CommandRegistrar } from '../registrar.js';

interface ApplyFlags extends GitHubFlags, PruneFlags, LockTimeoutFlags {
  autoApprove?: boolean;
  concurrency?: number;
  format: TextOrJson;
  emulator?: boolean;
}

export function applyRequest(source: string | undefined, flags: ApplyFlags): ApplyCommandOptions {
  return {
    source: source ?? DEFAULT_DIR,
    autoApprove: flags.autoApprove === true,
    format: flags.format,
    prune: flags.prune === true,
    allowMassDelete: flags.allowMassDelete === true,
    emulator: flags.emulator === true,
    ...lockTimeoutRequest(flags),
    ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
    ...githubRequest(flags),
  };
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of at least 1');
  return n;
}

export const declareApply: CommandRegistrar = (program, setExitCode, environment) => {
  pruneOptions(
    githubOptions(program.command('apply'))
      .description('apply a saved plan, or plan and apply a manifest directory')
      .argument('[plan-or-dir]', `a file from \`plan --out\`, or a manifest directory (default: "${DEFAULT_DIR}")`)
      .option('--auto-approve', 'do not ask for confirmation')
      .option('--concurrency <n>', 'steps in flight at once (default: config, 10)', positiveInteger)
      .addOption(formatOption(TEXT_JSON))
      .addOption(lockTimeoutOption())
      .addOption(emulatorOption()),
  ).action(async (source: string | undefined, flags: ApplyFlags) => {
    const request = applyRequest(source, flags);
    const { applyCommand } = await import('../commands/apply.js');
    setExitCode(await applyCommand(environment, request));
  });
};
