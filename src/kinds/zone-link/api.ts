/**
 * Zone transfer configurations (docs/cloudflare-api.md "Zone transfers"): one per zone and direction, at
 * /zones/{zone_id}/secondary_dns/incoming (Cloudflare is secondary) or …/outgoing (Cloudflare is primary). Reading
 * costs one GET per zone and direction (outgoing: one more for its status); a zone without one answers 404.
 */
import type { ApiContext } from '../../cloudflare/api-context.js';
import { createWithRecovery } from '../../cloudflare/create-with-recovery.js';
import { decodeResult } from '../../cloudflare/decode-result.js';
import { CloudflareApiError } from '../../cloudflare/api-error.js';
import { parseText, parseZone, parseZoneTransfer } from '../../cloudflare/parse-resources.js';
import type {
  CfZone,
  CfZoneTransfer,
  CfZoneTransferBody,
  CloudflareApi,
  TransferDirection,
} from '../../cloudflare/types.js';
import { isCfgitopsError } from '../../errors.js';

const ROUTE = {
  incoming: '/zones/{zone_id}/secondary_dns/incoming',
  outgoing: '/zones/{zone_id}/secondary_dns/outgoing',
} as const;
const FORCE = {
  incoming: '/zones/{zone_id}/secondary_dns/force_axfr',
  outgoing: '/zones/{zone_id}/secondary_dns/outgoing/force_notify',
} as const;

export type ZoneTransfersApi = Pick<
  CloudflareApi,
  | 'getZone'
  | 'getZoneTransfer'
  | 'createZoneTransfer'
  | 'updateZoneTransfer'
  | 'deleteZoneTransfer'
  | 'setOutgoingEnabled'
  | 'outgoingStatus'
  | 'forceTransfer'
>;

function body(b: CfZoneTransferBody): () => Record<string, unknown> {
  return () => ({
    name: b.name,
    peers: b.peers,
    ...(b.auto_refresh_seconds === undefined ? {} : { auto_refresh_seconds: b.auto_refresh_seconds }),
  });
}

export function zoneTransfersApi({ core, recovery }: ApiContext): ZoneTransfersApi {
  async function getZoneTransfer(
    zone: string,
    dir: TransferDirection,
    signal?: AbortSignal,
  ): Promise<CfZoneTransfer | undefined> {
    const req = { method: 'GET', route: ROUTE[dir], params: { zone_id: zone }, signal } as const;
    try {
      return decodeResult(req, await core.send(req), (v) => parseZoneTransfer(zone, v));
    } catch (e) {
      if (isCfgitopsError(e) && e.code === 'E_API_NOT_FOUND') return undefined;
      throw e;
    }
  }

  async function getZone(zone: string, signal?: AbortSignal): Promise<CfZone | undefined> {
    const req = { method: 'GET', route: '/zones/{zone_id}', params: { zone_id: zone }, signal } as const;
    try {
      return decodeResult(req, await core.send(req), parseZone);
    } catch (e) {
      // Reading a zone needs "Zone Read", which a Secondary-DNS-only credential may lack: then nothing is known and
      // Cloudflare's own refusal at apply time says what is wrong, as before this read existed.
      if (isCfgitopsError(e) && e.code === 'E_API_NOT_FOUND') return undefined;
      if (e instanceof CloudflareApiError && e.status === 403) return undefined;
      throw e;
    }
  }

  async function createZoneTransfer(zone: string, dir: TransferDirection, b: CfZoneTransferBody, signal?: AbortSignal) {
    const req = { method: 'POST', route: ROUTE[dir], params: { zone_id: zone }, body: body(b), signal } as const;
    return createWithRecovery(recovery, {
      route: ROUTE[dir],
      name: b.name,
      signal,
      post: async () => decodeResult(req, await core.send(req), (v) => parseZoneTransfer(zone, v)),
      // One per zone and direction: after an ambiguous failure, the zone's configuration is the one we sent.
      findByName: async () => {
        const found = await getZoneTransfer(zone, dir, signal);
        return found && found.name === b.name ? [found] : [];
      },
    });
  }

  async function updateZoneTransfer(zone: string, dir: TransferDirection, b: CfZoneTransferBody, signal?: AbortSignal) {
    const req = { method: 'PUT', route: ROUTE[dir], params: { zone_id: zone }, body: body(b), signal } as const;
    return decodeResult(req, await core.send(req), (v) => parseZoneTransfer(zone, v));
  }

  async function deleteZoneTransfer(zone: string, dir: TransferDirection, signal?: AbortSignal): Promise<void> {
    const req = { method: 'DELETE', route: ROUTE[dir], params: { zone_id: zone }, signal } as const;
    await core.send(req, { notFoundAfterAmbiguousIsDone: true });
  }

  async function setOutgoingEnabled(zone: string, enabled: boolean, signal?: AbortSignal): Promise<string> {
    const route = `${ROUTE.outgoing}/${enabled ? 'enable' : 'disable'}`;
    const req = { method: 'POST', route, params: { zone_id: zone }, body: () => ({}), signal } as const;
    return decodeResult(req, await core.send(req), (v) => parseText(v) ?? '');
  }

  async function outgoingStatus(zone: string, signal?: AbortSignal): Promise<string | null> {
    const req = { method: 'GET', route: `${ROUTE.outgoing}/status`, params: { zone_id: zone }, signal } as const;
    return decodeResult(req, await core.send(req), parseText);
  }

  async function forceTransfer(zone: string, dir: TransferDirection, signal?: AbortSignal): Promise<string> {
    const req = { method: 'POST', route: FORCE[dir], params: { zone_id: zone }, body: () => ({}), signal } as const;
    return decodeResult(req, await core.send(req), (v) => parseText(v) ?? '');
  }

  return {
    getZone,
    getZoneTransfer,
    createZoneTransfer,
    updateZoneTransfer,
    deleteZoneTransfer,
    setOutgoingEnabled,
    outgoingStatus,
    forceTransfer,
  };
}
