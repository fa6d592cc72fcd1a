/**
 * Wires `cfgitops state migrate` to the migration logic in ./state-migrate.ts.
 */
import { Option, type Command } from 'commander';
import type { AppEnvironment } from '../../app.js';
import { createApp } from '../../app.js';
import { loadManifestsFor } from '../../workflow/load.js';
import { DEFAULT_DIR, lockTimeoutOption, lockTimeoutSeconds } from '../options.js';
import { runStateMigrate } from './state-migrate.js';

export function registerStateMigrate(
  state: Command,
  setExitCode: (code: number) => void,
  environment: AppEnvironment,
): void {
  state
    .command('migrate')
    .description('copy the configured state to another backend, exactly, and verify it')
    .addOption(new Option('--to <backend>', 'target backend').choices(['file', 'postgres']).makeOptionMandatory())
    .option('--path <file>', 'target state file (with --to file; default .cfgitops/state.json)')
    .option('--url <url>', 'target PostgreSQL connection string (default: config, CFGITOPS_PG_URL, DATABASE_URL)')
    .option('--workspace <name>', 'target PostgreSQL workspace (default: the configured one, else "default")')
    .option('--force', 'overwrite a target that already holds a different state')
    .option('--dir <dir>', 'manifest directory (for the state configuration)', DEFAULT_DIR)
    .addOption(lockTimeoutOption())
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const app = createApp(environment);
      const manifests = await loadManifestsFor(app, String(opts['dir']));
      const timeout = lockTimeoutSeconds(opts['lockTimeout'] as string | undefined);
      const str = (k: string): string | undefined => (typeof opts[k] === 'string' ? opts[k] : undefined);
      const path = str('path');
      const url = str('url');
      const workspace = str('workspace');
      setExitCode(
        await runStateMigrate(
          { source: manifests.config.state, openStore: (b) => app.openState(b), output: app.output },
          {
            to: opts['to'] as 'file' | 'postgres',
            ...(path !== undefined ? { path } : {}),
            ...(url !== undefined ? { url } : {}),
            ...(workspace !== undefined ? { workspace } : {}),
            force: opts['force'] === true,
            lockTimeoutSeconds: timeout ?? manifests.config.lockTimeoutSeconds,
          },
        ),
      );
    });
}
