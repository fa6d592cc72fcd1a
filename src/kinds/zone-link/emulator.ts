/**
 * Zone transfer configurations (docs/cloudflare-api.md "Zone transfers"): one per zone and direction. Incoming only
 * on a zone of type secondary, outgoing only on a primary one; peers must exist in the zone's account, at most 30;
 * auto_refresh_seconds at least 300. Outgoing transfers start disabled until `…/outgoing/enable`. Zones are made
 * through the control API (POST /__emulator/zones). Deleting a peer a zone still uses is refused (peer emulator).
 */
import type { Handler, HandlerContext } from '../../emulator/context.js';
import { ApiError, CF_CODES, invalidBody, ok } from '../../emulator/envelope.js';
import type { Route } from '../../emulator/routes.js';
import type { StoredZone, StoredZoneTransfer } from '../../emulator/store.js';
import { MAX_PEERS_PER_ZONE } from './schema-parts.js';

type Dir = 'incoming' | 'outgoing';
const ZONE_TYPE: Record<Dir, StoredZone['type']> = { incoming: 'secondary', outgoing: 'primary' };

function zoneOf(ctx: HandlerContext): StoredZone {
  const zone = ctx.core.store.zones.get(ctx.params.zone_id ?? '');
  if (!zone) throw new ApiError(404, { code: CF_CODES.objectNotFound, message: 'zone not found' });
  return zone;
}

function configOf(ctx: HandlerContext, dir: Dir): { zone: StoredZone; config: StoredZoneTransfer } {
  const zone = zoneOf(ctx);
  const config = zone[dir];
  if (!config) {
    throw new ApiError(404, { code: CF_CODES.secondaryDnsNotFound, message: `${dir} zone transfers not configured` });
  }
  return { zone, config };
}

function view(config: StoredZoneTransfer, dir: Dir): Record<string, unknown> {
  const { enabled: _enabled, ...rest } = config;
  if (dir === 'outgoing') {
    const { auto_refresh_seconds: _refresh, modified_time: _modified, ...out } = rest;
    return out;
  }
  const { last_transferred_time: _last, ...inc } = rest;
  return inc;
}

function parseBody(ctx: HandlerContext, dir: Dir, zone: StoredZone, previous?: StoredZoneTransfer): StoredZoneTransfer {
  if (zone.type !== ZONE_TYPE[dir]) {
    throw new ApiError(400, {
      code: CF_CODES.zoneTypeMismatch,
      message: `zone ${zone.name} is a ${zone.type} zone: ${dir} transfers need a ${ZONE_TYPE[dir]} zone`,
    });
  }
  ctx.core.validator.check(ctx.operationId, ctx.body);
  const body = ctx.body as { name: string; peers: string[]; auto_refresh_seconds?: number };
  if (body.peers.length > MAX_PEERS_PER_ZONE) {
    throw new ApiError(400, { code: CF_CODES.tooManyPeers, message: `at most ${MAX_PEERS_PER_ZONE} peers per zone` });
  }
  const peers = ctx.core.store.account(zone.account).peers;
  body.peers.forEach((id, i) => {
    if (!peers.has(id)) throw invalidBody(`peer ${id} does not exist in the zone's account`, `/peers/${i}`);
  });
  const now = ctx.core.clock.iso();
  const config: StoredZoneTransfer = {
    id: zone.id,
    name: body.name,
    peers: [...body.peers],
    checked_time: now,
    created_time: previous?.created_time ?? now,
    modified_time: now,
    soa_serial: previous?.soa_serial ?? 2026120201,
  };
  if (dir === 'incoming') {
    const refresh = body.auto_refresh_seconds;
    if (typeof refresh !== 'number' || !Number.isInteger(refresh) || refresh < 300) {
      throw invalidBody('auto_refresh_seconds must be an integer of at least 300', '/auto_refresh_seconds');
    }
    config.auto_refresh_seconds = refresh;
  } else {
    config.enabled = previous?.enabled ?? false;
    if (previous?.last_transferred_time !== undefined) config.last_transferred_time = previous.last_transferred_time;
  }
  return config;
}

function handlers(dir: Dir): Record<'get' | 'create' | 'update' | 'remove', Handler> {
  return {
    get: (ctx) => ok(view(configOf(ctx, dir).config, dir)),
    create: (ctx) => {
      const zone = zoneOf(ctx);
      if (zone[dir]) {
        throw new ApiError(400, { code: CF_CODES.transferExists, message: `${dir} zone transfers already configured` });
      }
      const config = parseBody(ctx, dir, zone);
      zone[dir] = config;
      ctx.core.store.persist();
      return ok(view(config, dir));
    },
    update: (ctx) => {
      const { zone, config: previous } = configOf(ctx, dir);
      const config = parseBody(ctx, dir, zone, previous);
      zone[dir] = config;
      ctx.core.store.persist();
      return ok(view(config, dir));
    },
    remove: (ctx) => {
      const { zone } = configOf(ctx, dir);
      delete zone[dir];
      ctx.core.store.persist();
      return ok({ id: zone.id });
    },
  };
}

const setEnabled =
  (enabled: boolean): Handler =>
  (ctx) => {
    const { config } = configOf(ctx, 'outgoing');
    config.enabled = enabled;
    ctx.core.store.persist();
    return ok(enabled ? 'Enabled' : 'Disabled');
  };

const outgoingStatus: Handler = (ctx) => ok(configOf(ctx, 'outgoing').config.enabled === true ? 'Enabled' : 'Disabled');

const forceAxfr: Handler = (ctx) => {
  const { config } = configOf(ctx, 'incoming');
  config.checked_time = ctx.core.clock.iso();
  return ok('OK');
};

const forceNotify: Handler = (ctx) => {
  const { config } = configOf(ctx, 'outgoing');
  if (config.enabled !== true) {
    throw new ApiError(400, { code: CF_CODES.invalidBody, message: 'outgoing zone transfers are disabled' });
  }
  config.last_transferred_time = ctx.core.clock.iso();
  ctx.core.store.persist();
  return ok('OK');
};

const Z = '/zones/{zone_id}/secondary_dns';
const inc = handlers('incoming');
const out = handlers('outgoing');

export const INCOMING_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    template: `${Z}/incoming`,
    operationId: 'secondary-dns-(-secondary-zone)-secondary-zone-configuration-details',
    handler: inc.get,
  },
  {
    method: 'POST',
    template: `${Z}/incoming`,
    operationId: 'secondary-dns-(-secondary-zone)-create-secondary-zone-configuration',
    handler: inc.create,
  },
  {
    method: 'PUT',
    template: `${Z}/incoming`,
    operationId: 'secondary-dns-(-secondary-zone)-update-secondary-zone-configuration',
    handler: inc.update,
  },
  {
    method: 'DELETE',
    template: `${Z}/incoming`,
    operationId: 'secondary-dns-(-secondary-zone)-delete-secondary-zone-configuration',
    handler: inc.remove,
  },
  {
    method: 'POST',
    template: `${Z}/force_axfr`,
    operationId: 'secondary-dns-(-secondary-zone)-force-axfr',
    handler: forceAxfr,
  },
];

export const OUTGOING_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    template: `${Z}/outgoing`,
    operationId: 'secondary-dns-(-primary-zone)-primary-zone-configuration-details',
    handler: out.get,
  },
  {
    method: 'POST',
    template: `${Z}/outgoing`,
    operationId: 'secondary-dns-(-primary-zone)-create-primary-zone-configuration',
    handler: out.create,
  },
  {
    method: 'PUT',
    template: `${Z}/outgoing`,
    operationId: 'secondary-dns-(-primary-zone)-update-primary-zone-configuration',
    handler: out.update,
  },
  {
    method: 'DELETE',
    template: `${Z}/outgoing`,
    operationId: 'secondary-dns-(-primary-zone)-delete-primary-zone-configuration',
    handler: out.remove,
  },
  {
    method: 'POST',
    template: `${Z}/outgoing/enable`,
    operationId: 'secondary-dns-(-primary-zone)-enable-outgoing-zone-transfers',
    handler: setEnabled(true),
  },
  {
    method: 'POST',
    template: `${Z}/outgoing/disable`,
    operationId: 'secondary-dns-(-primary-zone)-disable-outgoing-zone-transfers',
    handler: setEnabled(false),
  },
  {
    method: 'POST',
    template: `${Z}/outgoing/force_notify`,
    operationId: 'secondary-dns-(-primary-zone)-force-dns-notify',
    handler: forceNotify,
  },
  {
    method: 'GET',
    template: `${Z}/outgoing/status`,
    operationId: 'secondary-dns-(-primary-zone)-get-outgoing-zone-transfer-status',
    handler: outgoingStatus,
  },
];
