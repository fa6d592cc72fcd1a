/** `cfgitops force-unlock [ID] [DIR]` (Terraform's order): see ../commands/force-unlock.ts. */
import type { ForceUnlockRequest } from '../commands/force-unlock.js';
import {
  chooseDir,
  deprecatedDirOption,
  DEFAULT_DIR,
  emulatorOption,
  formatOption,
  isDirectory,
  TEXT_JSON,
  type TextOrJson,
} from '../options.js';
import type { CommandRegistrar } from '../registrar.js';
import type { AppEnvironment } from '../../app.js';

interface ForceUnlockFlags {
  dir?: string;
  emulator?: boolean;
  format: TextOrJson;
}

const USAGE = 'cfgitops force-unlock [ID] DIR';

export function forceUnlockRequest(
  first: string | undefined,
  second: string | undefined,
  flags: ForceUnlockFlags,
  environment: Pick<AppEnvironment, 'cwd' | 'stderr'>,
): ForceUnlockRequest {
  // One argument: the directory when it names one (lock ids never do), else the lock id.
  const [id, dir] =
    second === undefined && first !== undefined && isDirectory(environment, first)
      ? [undefined, first]
      : [first, second];
  return {
    ...(id !== undefined ? { id } : {}),
    dir: chooseDir(USAGE, dir, flags.dir, environment),
    emulator: flags.emulator === true,
    format: flags.format,
  };
}

export const declareForceUnlock: CommandRegistrar = (program, setExitCode, environment) => {
  program
    .command('force-unlock')
    .description('remove a state lock left behind by a run that died')
    .argument('[id]', 'the lock id shown in the "locked" message (recommended)')
    .argument('[dir]', `manifest directory, for the state configuration (default: "${DEFAULT_DIR}")`)
    .addOption(formatOption(TEXT_JSON))
    .addOption(emulatorOption())
    .addOption(deprecatedDirOption())
    .action(async (id: string | undefined, dir: string | undefined, flags: ForceUnlockFlags) => {
      const request = forceUnlockRequest(id, dir, flags, environment);
      const { forceUnlockCommand } = await import('../commands/force-unlock.js');
      setExitCode(await forceUnlockCommand(environment, request));
    });
};
