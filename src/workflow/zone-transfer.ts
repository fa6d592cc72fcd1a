/**
 * `cfgitops zone force-axfr ZONE` / `force-notify ZONE`: the two transfer operations a DNS engineer needs without
 * leaving the tool. ZONE is a Config zone alias or a 32-hex zone id. Read-only towards state.
 */
import type { App } from '../app.js';
import type { TransferDirection } from '../cloudflare/types.js';
import { CfgitopsError } from '../errors.js';
import { zoneIdOf } from '../kinds/zone-link/define.js';
import { loadManifestsFor } from './load.js';

export interface ZoneTransferRequest {
  zone: string;
  /** incoming: force an AXFR from the primaries; outgoing: NOTIFY the secondaries. */
  dir: TransferDirection;
  command: 'force-axfr' | 'force-notify';
  manifestsDir: string;
  emulator: boolean;
}

export interface ZoneTransferOutcome {
  zone: string;
  zoneId: string;
  result: string;
  target: string;
}

export async function zoneTransferWorkflow(app: App, request: ZoneTransferRequest): Promise<ZoneTransferOutcome> {
  const manifests = await loadManifestsFor(app, request.manifestsDir);
  const zoneId = zoneIdOf(request.zone, manifests.config.zones);
  if (zoneId === undefined) {
    const known = Object.keys(manifests.config.zones);
    throw new CfgitopsError('E_UNKNOWN_ZONE', `zone ${request.zone} is neither a zone alias nor a 32-hex zone id`, {
      hint: known.length
        ? `use one of ${known.join(', ')}, or the zone id`
        : 'give the zone id, or name it in spec.zones',
    });
  }
  const target = await app.connect(manifests.config, { emulator: request.emulator, operation: request.command });
  try {
    const result = await target.api.forceTransfer(zoneId, request.dir);
    return { zone: request.zone, zoneId, result, target: target.describe };
  } finally {
    await target.close();
  }
}
