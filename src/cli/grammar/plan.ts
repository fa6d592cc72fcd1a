/** `cfgitops plan [DIR]`: see ../commands/plan.ts. */
import type { PlanCommandOptions } from '../commands/plan.js';
import {
  DEFAULT_DIR,
  dirArgument,
  emulatorOption,
  formatOption,
  githubOptions,
  githubRequest,
  PLAN_FORMATS,
  pruneOptions,
  type GitHubFlags,
  type PlanFormat,
  type PruneFlags,
} from '../options.js';
import type { CommandRegistrar } from '../registrar.js';

interface PlanFlags extends GitHubFlags, PruneFlags {
  out?: string;
  detailedExitcode?: boolean;
  format: PlanFormat;
  emulator?: boolean;
}

export function planRequest(dir: string | undefined, flags: PlanFlags): PlanCommandOptions {
  return {
    dir: dir ?? DEFAULT_DIR,
    ...(flags.out !== undefined ? { out: flags.out } : {}),
    detailedExitcode: flags.detailedExitcode === true,
    format: flags.format,
    prune: flags.prune === true,
    allowMassDelete: flags.allowMassDelete === true,
    emulator: flags.emulator === true,
    ...githubRequest(flags),
  };
}

export const declarePlan: CommandRegistrar = (program, setExitCode, environment) => {
  pruneOptions(
    githubOptions(
      dirArgument(
        program.command('plan').description('show what apply would change (reads only: safe on pull requests)'),
      ),
    )
      .option('--out <file>', 'save the plan for `cfgitops apply FILE`')
      .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are, 1 on error')
      .addOption(formatOption(PLAN_FORMATS))
      .addOption(emulatorOption()),
  ).action(async (dir: string | undefined, flags: PlanFlags) => {
    const request = planRequest(dir, flags);
    const { planCommand } = await import('../commands/plan.js');
    setExitCode(await planCommand(environment, request));
  });
};
