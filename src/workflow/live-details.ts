/**
 * `state show`'s live half: what a recorded resource is doing now that state cannot say (an outgoing zone link's
 * transfer status, issue 15). Only kinds that declare `liveDetails` reach the API; the others need no credentials.
 * A failure to connect or read is shown as the detail's value instead of failing `state show`, which stays useful
 * offline (its recorded half is printed either way).
 */
import type { App } from '../app.js';
import type { ResolvedConfig } from '../config/types.js';
import { CfgitopsError } from '../errors.js';
import { kindOf } from '../kinds/registry.js';
import type { RecordedResource } from '../state/types.js';

export async function readLiveDetails(
  app: App,
  config: ResolvedConfig,
  recorded: RecordedResource,
  emulator: boolean,
): Promise<Record<string, string> | undefined> {
  const kind = kindOf(recorded.kind);
  if (!kind.liveDetails) return undefined;
  let target: Awaited<ReturnType<App['connect']>> | undefined;
  try {
    target = await app.connect(config, { emulator, operation: 'state show' });
    return await kind.liveDetails(target.api, recorded);
  } catch (err) {
    if (!(err instanceof CfgitopsError)) throw err;
    return { live: `unavailable (${err.code}: ${err.message})` };
  } finally {
    await target?.close();
  }
}
