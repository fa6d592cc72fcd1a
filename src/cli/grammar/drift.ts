/** `cfgitops drift [DIR]`: see ../commands/drift.ts. */
import type { DriftCommandOptions } from '../commands/drift.js';
import {
  DEFAULT_DIR,
  dirArgument,
  emulatorOption,
  formatOption,
  githubOptions,
  githubRequest,
  PLAN_FORMATS,
  type GitHubFlags,
  type PlanFormat,
} from '../options.js';
import type { CommandRegistrar } from '../registrar.js';

interface DriftFlags extends GitHubFlags {
  prune?: boolean;
  format: PlanFormat;
  emulator?: boolean;
}

export function driftRequest(dir: string | undefined, flags: DriftFlags): DriftCommandOptions {
  return {
    dir: dir ?? DEFAULT_DIR,
    format: flags.format,
    prune: flags.prune === true,
    emulator: flags.emulator === true,
    ...githubRequest(flags),
  };
}

export const declareDrift: CommandRegistrar = (program, setExitCode, environment) => {
  githubOptions(
    dirArgument(
      program
        .command('drift')
        .description(
          'report differences between live, state and manifests; exit 2 on drift, 3 when a token was revoked as exposed (reads only)',
        ),
    )
      .option('--prune', 'plan deletes for resources no longer in the manifests (as apply --prune would)')
      .addOption(formatOption(PLAN_FORMATS))
      .addOption(emulatorOption()),
  ).action(async (dir: string | undefined, flags: DriftFlags) => {
    const request = driftRequest(dir, flags);
    const { driftCommand } = await import('../commands/drift.js');
    setExitCode(await driftCommand(environment, request));
  });
};
