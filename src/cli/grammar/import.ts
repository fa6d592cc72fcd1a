/** `cfgitops import KIND NAME ID [DIR]`: see ../commands/import.ts. */
import type { ImportCommandOptions } from '../commands/import.js';
import {
  DEFAULT_DIR,
  dirArgument,
  emulatorOption,
  formatOption,
  githubOptions,
  githubRequest,
  lockTimeoutOption,
  lockTimeoutRequest,
  TEXT_JSON,
  type GitHubFlags,
  type LockTimeoutFlags,
  type TextOrJson,
} from '../options.js';
import type { CommandRegistrar } from '../registrar.js';

interface ImportFlags extends GitHubFlags, LockTimeoutFlags {
  roll?: boolean;
  format: TextOrJson;
  emulator?: boolean;
}

export function importRequest(
  kind: string,
  name: string,
  id: string,
  dir: string | undefined,
  flags: ImportFlags,
): ImportCommandOptions {
  return {
    kind,
    name,
    id,
    dir: dir ?? DEFAULT_DIR,
    roll: flags.roll === true,
    format: flags.format,
    emulator: flags.emulator === true,
    ...lockTimeoutRequest(flags),
    ...githubRequest(flags),
  };
}

export const declareImport: CommandRegistrar = (program, setExitCode, environment) => {
  githubOptions(
    dirArgument(
      program
        .command('import')
        .description('take an existing Cloudflare resource under management as a declared resource')
        .argument('<kind>', 'AccountToken, SecondaryDnsPeer or SecondaryDnsTsig (or token, peer, tsig)')
        .argument('<name>', 'the metadata.name of the resource in the manifests')
        .argument('<id>', 'the Cloudflare id of the live resource'),
    ),
  )
    .option('--roll', 'tokens: roll the value now and deliver it to the sink')
    .addOption(formatOption(TEXT_JSON))
    .addOption(lockTimeoutOption())
    .addOption(emulatorOption())
    .action(async (kind: string, name: string, id: string, dir: string | undefined, flags: ImportFlags) => {
      const request = importRequest(kind, name, id, dir, flags);
      const { importCommand } = await import('../commands/import.js');
      setExitCode(await importCommand(environment, request));
    });
};
