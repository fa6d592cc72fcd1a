/** `cfgitops sinks check [DIR] [--format text|json] [--github]`: see ../commands/sinks.ts. */
import type { SinksCheckRequest } from '../commands/sinks.js';
import {
  DEFAULT_DIR,
  dirArgument,
  formatOption,
  githubOptions,
  githubRequest,
  TEXT_JSON,
  type GitHubFlags,
  type TextOrJson,
} from '../options.js';
import type { CommandRegistrar } from '../registrar.js';

interface SinksCheckFlags extends GitHubFlags {
  format: TextOrJson;
}

export const declareSinks: CommandRegistrar = (program, setExitCode, environment) => {
  const sinks = program.command('sinks').description('secret sinks: where token values are delivered');
  githubOptions(
    dirArgument(
      sinks
        .command('check')
        .description('verify every configured sink is reachable and writable, without writing a secret'),
      'directory of manifests (for the Config document)',
    ),
  )
    .addOption(formatOption(TEXT_JSON))
    .action(async (dir: string | undefined, flags: SinksCheckFlags) => {
      const request: SinksCheckRequest = { dir: dir ?? DEFAULT_DIR, format: flags.format, ...githubRequest(flags) };
      const { sinksCheckCommand } = await import('../commands/sinks.js');
      setExitCode(await sinksCheckCommand(environment, request));
    });
};
