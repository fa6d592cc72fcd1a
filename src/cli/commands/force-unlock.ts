/**
 * `cfgitops force-unlock [ID] [DIR]`: remove the state lock left by a run that died. With ID, only if the lock still
 * has that id (the id is printed in every "state is locked" message), so a live run's fresh lock is never taken
 * away. `--format json`: `{ ok, state, unlocked }` with the removed lock's holder (or null when there was none).
 */
import { createApp, type App, type AppEnvironment } from '../../app.js';
import { CfgitopsError } from '../../errors.js';
import type { LockOwner } from '../../state/types.js';
import { loadManifestsFor } from '../../workflow/load.js';
import { withJsonFailure } from '../json-failure.js';
import type { TextOrJson } from '../options.js';

export interface ForceUnlockRequest {
  id?: string;
  dir: string;
  emulator: boolean;
  format: TextOrJson;
}

export async function forceUnlockCommand(environment: AppEnvironment, request: ForceUnlockRequest): Promise<number> {
  const app = createApp(environment);
  return withJsonFailure(request.format === 'json', app.output, () => runForceUnlock(app, request));
}

export async function runForceUnlock(app: App, options: ForceUnlockRequest): Promise<number> {
  const manifests = await loadManifestsFor(app, options.dir);
  const { state } = app.stores(manifests.config, { emulator: options.emulator });
  const report = (removed: LockOwner | undefined): number => {
    if (options.format === 'json') {
      const body = { ok: true, state: state.describe(), unlocked: removed ?? null };
      app.output.out(`${JSON.stringify(body, null, 2)}\n`);
    } else {
      app.output.out(
        removed
          ? `Unlocked ${state.describe()} (lock ${removed.id} held by ${removed.owner}, ${removed.operation}, since ${removed.acquired_at}).\n`
          : `${state.describe()} is not locked.\n`,
      );
    }
    return 0;
  };
  try {
    const holder = await state.lockHolder();
    if (!holder) return report(undefined);
    if (options.id !== undefined && holder.id !== options.id) {
      throw new CfgitopsError(
        'E_STATE_LOCKED',
        `the lock on ${state.describe()} now has id ${holder.id}, not ${options.id}`,
        {
          hint: `it was taken by ${holder.owner} (${holder.operation}, pid ${holder.pid} on ${holder.host}) since ${holder.acquired_at}; make sure that run is dead before unlocking it`,
        },
      );
    }
    return report(await state.forceUnlock(options.id ?? holder.id));
  } finally {
    await state.close();
  }
}
