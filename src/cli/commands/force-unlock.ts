/**
 * `cfgitops force-unlock [ID]`: remove the state lock left by a run that died. With ID, only if the lock still has
 * that id (the id is printed in every "state is locked" message), so a live run's fresh lock is never taken away.
 */
import { createApp, type App } from '../../app.js';
import { CfgitopsError } from '../../errors.js';
import { loadManifestsFor } from '../../workflow/load.js';
import { DEFAULT_DIR, emulatorOption } from '../options.js';
import type { CommandRegistrar } from '../registrar.js';

export async function runForceUnlock(
  app: App,
  options: { id?: string; dir: string; emulator: boolean },
): Promise<number> {
  const manifests = await loadManifestsFor(app, options.dir);
  const { state } = app.stores(manifests.config, { emulator: options.emulator });
  try {
    const holder = await state.lockHolder();
    if (!holder) {
      app.output.out(`${state.describe()} is not locked.\n`);
      return 0;
    }
    if (options.id !== undefined && holder.id !== options.id) {
      throw new CfgitopsError(
        'E_STATE_LOCKED',
        `the lock on ${state.describe()} now has id ${holder.id}, not ${options.id}`,
        {
          hint: `it was taken by ${holder.owner} (${holder.operation}, pid ${holder.pid} on ${holder.host}) since ${holder.acquired_at}; make sure that run is dead before unlocking it`,
        },
      );
    }
    const removed = await state.forceUnlock(options.id ?? holder.id);
    app.output.out(
      removed
        ? `Unlocked ${state.describe()} (lock ${removed.id} held by ${removed.owner}, ${removed.operation}, since ${removed.acquired_at}).\n`
        : `${state.describe()} is not locked.\n`,
    );
    return 0;
  } finally {
    await state.close();
  }
}

export const registerForceUnlock: CommandRegistrar = (program, setExitCode, environment) => {
  program
    .command('force-unlock')
    .description('remove a state lock left behind by a run that died')
    .argument('[id]', 'the lock id shown in the "locked" message (recommended)')
    .option('--dir <dir>', 'manifest directory (for the state configuration)', DEFAULT_DIR)
    .addOption(emulatorOption())
    .action(async (id: string | undefined, opts: { dir: string; emulator?: boolean }) => {
      setExitCode(
        await runForceUnlock(createApp(environment), {
          ...(id !== undefined ? { id } : {}),
          dir: opts.dir,
          emulator: opts.emulator === true,
        }),
      );
    });
};
