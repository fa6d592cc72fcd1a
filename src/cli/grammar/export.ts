/** `cfgitops export [DIR] [--account …] [--kind …] [--out DIR] [--tsig-secrets env|file]`: see ../commands/export.ts. */
import { Option } from 'commander';
import type { ExportCommandOptions } from '../commands/export.js';
import { DEFAULT_DIR, dirArgument, emulatorOption, formatOption, TEXT_JSON, type TextOrJson } from '../options.js';
import type { CommandRegistrar } from '../registrar.js';

interface ExportFlags {
  account: string[];
  kind: string[];
  out?: string;
  tsigSecrets: 'env' | 'file';
  format: TextOrJson;
  emulator?: boolean;
}

export function exportRequest(dir: string | undefined, flags: ExportFlags): ExportCommandOptions {
  return {
    dir: dir ?? DEFAULT_DIR,
    ...(flags.out !== undefined ? { out: flags.out } : {}),
    accounts: flags.account,
    kinds: flags.kind,
    tsigSecrets: flags.tsigSecrets,
    format: flags.format,
    emulator: flags.emulator === true,
  };
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export const declareExport: CommandRegistrar = (program, setExitCode, environment) => {
  dirArgument(
    program
      .command('export')
      .description('write manifests for the live resources cfgitops does not manage yet (onboarding an account)'),
    'manifest directory (its Config names the accounts)',
  )
    .option(
      '--account <alias|id>',
      'export this account (repeatable; default: every account the Config names)',
      collect,
      [],
    )
    .option('--kind <kind>', 'export this kind only (repeatable: token, tsig, peer or the full kind)', collect, [])
    .option('--out <dir>', 'write the files here, inside DIR (default: DIR)')
    .addOption(
      new Option(
        '--tsig-secrets <source>',
        'how exported TSIG keys read their secret: env (fromEnv) or file (fromFile)',
      )
        .choices(['env', 'file'])
        .default('env'),
    )
    .addOption(formatOption(TEXT_JSON))
    .addOption(emulatorOption())
    .action(async (dir: string | undefined, flags: ExportFlags) => {
      const request = exportRequest(dir, flags);
      const { exportCommand } = await import('../commands/export.js');
      setExitCode(await exportCommand(environment, request));
    });
};
