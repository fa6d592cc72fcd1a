/**
 * `cfgitops state migrate --to file|postgres [DIR]` (declared in ../grammar/state.ts): loads the Config from DIR and
 * runs the migration logic in ./state-migrate.ts.
 */
import { createApp, type AppEnvironment } from '../../app.js';
import { loadManifestsFor } from '../../workflow/load.js';
import { runStateMigrate, type StateMigrateOptions } from './state-migrate.js';

export async function stateMigrateCommand(
  environment: AppEnvironment,
  dir: string,
  request: StateMigrateOptions,
): Promise<number> {
  const app = createApp(environment);
  const manifests = await loadManifestsFor(app, dir);
  return runStateMigrate(
    { source: manifests.config.state, openStore: (b) => app.openState(b), output: app.output },
    { ...request, lockTimeoutSeconds: request.lockTimeoutSeconds ?? manifests.config.lockTimeoutSeconds },
  );
}
