/**
 * `cfgitops state init|list|show|rm|migrate … [DIR]`: see ../commands/state.ts and ../commands/state-migrate.ts.
 * The directory (for the state configuration) is the last argument, as on every command.
 */
import { Option, type Command } from 'commander';
import type { AppEnvironment } from '../../app.js';
import type { StateMigrateOptions } from '../commands/state-migrate.js';
import type { StateTarget } from '../commands/state.js';
import {
  chooseDir,
  deprecatedDirOption,
  dirArgument,
  emulatorOption,
  formatOption,
  lockTimeoutOption,
  lockTimeoutRequest,
  splitTrailingDir,
  TEXT_JSON,
  type LockTimeoutFlags,
  type TextOrJson,
} from '../options.js';
import type { CommandRegistrar } from '../registrar.js';

interface StateFlags {
  dir?: string;
  emulator?: boolean;
  format: TextOrJson;
}

function stateTarget(
  usage: string,
  dir: string | undefined,
  flags: StateFlags,
  environment: Pick<AppEnvironment, 'stderr'>,
): StateTarget {
  return {
    dir: chooseDir(usage, dir, flags.dir, environment),
    emulator: flags.emulator === true,
    format: flags.format,
  };
}

/** The flags every `state` subcommand takes. */
function stateOptions(command: Command): Command {
  return command.addOption(formatOption(TEXT_JSON)).addOption(emulatorOption()).addOption(deprecatedDirOption());
}

const STATE_DIR = 'manifest directory, for the state configuration';

export const declareState: CommandRegistrar = (program, setExitCode, environment) => {
  const state = program.command('state').description('inspect and edit recorded state');
  const load = () => import('../commands/state.js');

  stateOptions(
    dirArgument(
      state
        .command('init')
        .description('create or migrate the state schema (PostgreSQL) before the first run; plan and drift never do'),
      STATE_DIR,
    ),
  ).action(async (dir: string | undefined, flags: StateFlags) => {
    const target = stateTarget('cfgitops state init DIR', dir, flags, environment);
    setExitCode(await (await load()).stateInitCommand(environment, target));
  });

  stateOptions(
    dirArgument(state.command('list').description('list managed resources and pending journal entries'), STATE_DIR),
  ).action(async (dir: string | undefined, flags: StateFlags) => {
    const target = stateTarget('cfgitops state list DIR', dir, flags, environment);
    setExitCode(await (await load()).stateListCommand(environment, target));
  });

  stateOptions(
    dirArgument(
      state
        .command('show')
        .description('show one recorded resource')
        .argument('<address>', 'Kind/account/name (the account as its alias or id), Kind/name, or name'),
      STATE_DIR,
    ),
  ).action(async (address: string, dir: string | undefined, flags: StateFlags) => {
    const target = stateTarget('cfgitops state show ADDRESS DIR', dir, flags, environment);
    setExitCode(await (await load()).stateShowCommand(environment, target, address));
  });

  stateOptions(
    state
      .command('rm')
      .description('forget resources without deleting them at Cloudflare (they become unmanaged)')
      .argument('<address...>', `addresses as for show; a last argument naming a directory is the ${STATE_DIR}`),
  )
    .addOption(lockTimeoutOption())
    .action(async (args: string[], flags: StateFlags & LockTimeoutFlags) => {
      const { rest, dir } = splitTrailingDir(args, environment);
      const target = stateTarget('cfgitops state rm ADDRESS… DIR', dir, flags, environment);
      const command = (await load()).stateRmCommand;
      setExitCode(await command(environment, target, rest, lockTimeoutRequest(flags)));
    });

  declareStateMigrate(state, setExitCode, environment);
};

interface MigrateFlags extends LockTimeoutFlags {
  to: 'file' | 'postgres';
  path?: string;
  url?: string;
  workspace?: string;
  force?: boolean;
  dir?: string;
}

export function stateMigrateRequest(flags: MigrateFlags): StateMigrateOptions {
  return {
    to: flags.to,
    ...(flags.path !== undefined ? { path: flags.path } : {}),
    ...(flags.url !== undefined ? { url: flags.url } : {}),
    ...(flags.workspace !== undefined ? { workspace: flags.workspace } : {}),
    force: flags.force === true,
    ...lockTimeoutRequest(flags),
  };
}

function declareStateMigrate(state: Command, setExitCode: (code: number) => void, environment: AppEnvironment): void {
  dirArgument(
    state.command('migrate').description('copy the configured state to another backend, exactly, and verify it'),
    STATE_DIR,
  )
    .addOption(new Option('--to <backend>', 'target backend').choices(['file', 'postgres']).makeOptionMandatory())
    .option('--path <file>', 'target state file (with --to file; default .cfgitops/state.json)')
    .option('--url <url>', 'target PostgreSQL connection string (default: config, CFGITOPS_PG_URL, DATABASE_URL)')
    .option('--workspace <name>', 'target PostgreSQL workspace (default: the configured one, else "default")')
    .option('--force', 'overwrite a target that already holds a different state')
    .addOption(lockTimeoutOption())
    .addOption(deprecatedDirOption())
    .action(async (dir: string | undefined, flags: MigrateFlags) => {
      const manifestDir = chooseDir('cfgitops state migrate --to BACKEND DIR', dir, flags.dir, environment);
      const request = stateMigrateRequest(flags);
      const { stateMigrateCommand } = await import('../commands/state-migrate-command.js');
      setExitCode(await stateMigrateCommand(environment, manifestDir, request));
    });
}
