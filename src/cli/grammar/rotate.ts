/** `cfgitops rotate [NAME…] [DIR]`: see ../commands/rotate.ts. */
import { Option } from 'commander';
import type { AppEnvironment } from '../../app.js';
import type { RotationStrategy } from '../../config/types.js';
import type { RotateCommandOptions } from '../commands/rotate.js';
import {
  chooseDir,
  deprecatedDirOption,
  emulatorOption,
  formatOption,
  githubOptions,
  githubRequest,
  lockTimeoutOption,
  lockTimeoutRequest,
  PLAN_FORMATS,
  splitTrailingDir,
  type GitHubFlags,
  type LockTimeoutFlags,
  type PlanFormat,
} from '../options.js';
import type { CommandRegistrar } from '../registrar.js';

interface RotateFlags extends GitHubFlags, LockTimeoutFlags {
  olderThan?: string;
  strategy?: RotationStrategy;
  dir?: string;
  dryRun?: boolean;
  format: PlanFormat;
  emulator?: boolean;
}

const STRATEGIES: readonly RotationStrategy[] = ['overlap', 'roll'];

export function rotateRequest(
  args: readonly string[],
  flags: RotateFlags,
  environment: Pick<AppEnvironment, 'cwd' | 'stderr'>,
): RotateCommandOptions {
  const { rest, dir } = splitTrailingDir(args, environment);
  return {
    dir: chooseDir('cfgitops rotate [NAME…] DIR', dir, flags.dir, environment),
    names: rest,
    ...(flags.olderThan !== undefined ? { olderThan: flags.olderThan } : {}),
    ...(flags.strategy !== undefined ? { strategy: flags.strategy } : {}),
    dryRun: flags.dryRun === true,
    format: flags.format,
    emulator: flags.emulator === true,
    ...lockTimeoutRequest(flags),
    ...githubRequest(flags),
  };
}

export const declareRotate: CommandRegistrar = (program, setExitCode, environment) => {
  githubOptions(
    program
      .command('rotate')
      .description(
        'rotate managed token values now, each with its rotation strategy (overlap: a successor token, the old value works until its grace ends; roll: same id, new value)',
      )
      .argument(
        '[names-and-dir...]',
        'token metadata.names to rotate (default: all); a last argument naming a directory is the manifest directory',
      ),
  )
    .option('--older-than <duration>', 'only values issued longer ago than this (e.g. 30d, 12h)')
    .addOption(
      new Option(
        '--strategy <strategy>',
        "rotate with this strategy instead of each token's rotation.strategy",
      ).choices(STRATEGIES),
    )
    .option('--dry-run', 'list what would be rotated; change nothing')
    .addOption(formatOption(PLAN_FORMATS))
    .addOption(lockTimeoutOption())
    .addOption(emulatorOption())
    .addOption(deprecatedDirOption())
    .action(async (args: string[], flags: RotateFlags) => {
      const request = rotateRequest(args, flags, environment);
      const { rotateCommand } = await import('../commands/rotate.js');
      setExitCode(await rotateCommand(environment, request));
    });
};
