/**
 * `cfgitops state migrate --to postgres|file`: copies the configured state into the other backend, exactly. The CLI
 * owner wires the subcommand; this file is the logic, with every effect passed in.
 */
import type { StateBackendConfig } from '../../config/types.js';
import type { Output } from '../../effects.js';
import { CfgitopsError } from '../../errors.js';
import { migrateState } from '../../state/migrate-state.js';
import type { StateStore } from '../../state/types.js';

export interface StateMigrateOptions {
  to: 'file' | 'postgres';
  /** Target file (`--to file`); default `.cfgitops/state.json`. */
  path?: string;
  /** Target connection string (`--to postgres`); default from config, then CFGITOPS_PG_URL / DATABASE_URL. */
  url?: string;
  /** Target workspace (`--to postgres`); default the configured one, else `default`. */
  workspace?: string;
  force?: boolean;
  lockTimeoutSeconds?: number;
}

export interface StateMigrateDeps {
  /** The configured (source) backend. */
  source: StateBackendConfig;
  openStore(config: StateBackendConfig): StateStore;
  output: Output;
}

export const DEFAULT_STATE_PATH = '.cfgitops/state.json';

export function migrationTarget(source: StateBackendConfig, options: StateMigrateOptions): StateBackendConfig {
  if (options.to === 'file') {
    const path = options.path ?? DEFAULT_STATE_PATH;
    if (source.backend === 'file' && source.path === path) {
      throw new CfgitopsError('E_USAGE', `the state is already in ${path}`, {
        hint: 'pass --path to copy it to another file',
      });
    }
    return { backend: 'file', path };
  }
  const configured = source.backend === 'postgres' ? source : undefined;
  const workspace = options.workspace ?? configured?.workspace ?? 'default';
  const url = options.url ?? configured?.url;
  if (configured && configured.workspace === workspace && configured.url === url) {
    throw new CfgitopsError('E_USAGE', `the state is already in postgres workspace ${workspace}`, {
      hint: 'pass --workspace to copy it to another workspace',
    });
  }
  return {
    backend: 'postgres',
    workspace,
    ...(url === undefined ? {} : { url }),
    ...(configured?.ssl === undefined ? {} : { ssl: configured.ssl }),
  };
}

export async function runStateMigrate(deps: StateMigrateDeps, options: StateMigrateOptions): Promise<number> {
  const target = migrationTarget(deps.source, options);
  const from = deps.openStore(deps.source);
  const to = deps.openStore(target);
  try {
    const result = await migrateState(from, to, {
      force: options.force ?? false,
      lockTimeoutMs: (options.lockTimeoutSeconds ?? 0) * 1000,
    });
    const what = `lineage ${result.lineage}, serial ${result.serial}, ${result.resources} resource(s), ${result.pending} pending intent(s)`;
    deps.output.out(
      result.copied
        ? `Migrated state (${what}) from ${from.describe()} to ${to.describe()} and verified it.\n`
        : `${to.describe()} already holds this state (${what}); nothing copied.\n`,
    );
    deps.output.out(`Point the Config's state section at the new backend to use it.\n`);
    return 0;
  } finally {
    await Promise.all([from.close(), to.close()]);
  }
}
