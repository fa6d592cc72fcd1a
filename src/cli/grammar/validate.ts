/** `cfgitops validate [DIR] [--format text|json] [--github]`: see ../commands/validate.ts. */
import type { ValidateRequest } from '../commands/validate.js';
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

interface ValidateFlags extends GitHubFlags {
  format: TextOrJson;
}

export function validateRequest(dir: string | undefined, flags: ValidateFlags): ValidateRequest {
  return { dir: dir ?? DEFAULT_DIR, format: flags.format, ...githubRequest(flags) };
}

export const declareValidate: CommandRegistrar = (program, setExitCode, environment) => {
  githubOptions(
    dirArgument(
      program
        .command('validate')
        .description('check the manifests offline: YAML, schemas, references, config (no network)'),
      'directory of manifests',
    ),
  )
    .addOption(formatOption(TEXT_JSON))
    .action(async (dir: string | undefined, flags: ValidateFlags) => {
      const request = validateRequest(dir, flags);
      const { validateCommand } = await import('../commands/validate.js');
      setExitCode(await validateCommand(environment, request));
    });
};
