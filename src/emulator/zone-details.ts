/**
 * `GET /zones/{zone_id}`: the zone's details, of which the emulator keeps what cfgitops reads (its name, account and
 * type). Zones are made through the control API (POST /__emulator/zones) as `primary` or `secondary`; Cloudflare calls
 * a zone it serves as primary `full` (DNS hosted with Cloudflare), and that is the type this answers.
 */
import type { Handler } from './context.js';
import { ApiError, CF_CODES, ok } from './envelope.js';

export const getZoneDetails: Handler = (ctx) => {
  const zone = ctx.core.store.zones.get(ctx.params.zone_id ?? '');
  if (!zone) throw new ApiError(404, { code: CF_CODES.objectNotFound, message: 'zone not found' });
  return ok({
    id: zone.id,
    name: zone.name,
    type: zone.type === 'secondary' ? 'secondary' : 'full',
    status: 'active',
    account: { id: zone.account },
  });
};
