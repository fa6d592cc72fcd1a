/** Secondary DNS peers (docs/cloudflare-api.md "Secondary DNS peers"). */
import { createWithRecovery } from '../../cloudflare/create-with-recovery.js';
import { calledPath } from '../../cloudflare/http-core.js';
import { decodeResult } from '../../cloudflare/decode-result.js';
import type { ApiContext } from '../../cloudflare/api-context.js';
import { arr, parsePeer } from '../../cloudflare/parse-resources.js';
import type { CfPeer, CfPeerBody, CloudflareApi, CreateOutcome } from '../../cloudflare/types.js';

const PEERS = '/accounts/{account_id}/secondary_dns/peers';
const PEER = '/accounts/{account_id}/secondary_dns/peers/{peer_id}';

export type PeersApi = Pick<CloudflareApi, 'listPeers' | 'createPeer' | 'updatePeer' | 'deletePeer'>;

export function peersApi({ core, recovery }: ApiContext): PeersApi {
  async function listPeers(account: string, signal?: AbortSignal): Promise<CfPeer[]> {
    const req = { method: 'GET', route: PEERS, params: { account_id: account }, signal } as const;
    return decodeResult(req, await core.send(req), (v) => arr(v, 'result').map(parsePeer));
  }

  async function createPeer(account: string, name: string, signal?: AbortSignal): Promise<CreateOutcome<CfPeer>> {
    // The API takes only {name} on create; ip/port/tsig follow in a PUT (the caller records the id first).
    const req = {
      method: 'POST',
      route: PEERS,
      params: { account_id: account },
      body: () => ({ name }),
      signal,
    } as const;
    return createWithRecovery(recovery, {
      route: calledPath(req),
      name,
      signal,
      post: async () => decodeResult(req, await core.send(req), parsePeer),
      findByName: async () => (await listPeers(account, signal)).filter((p) => p.name === name),
    });
  }

  async function updatePeer(account: string, id: string, body: CfPeerBody, signal?: AbortSignal): Promise<CfPeer> {
    const req = {
      method: 'PUT',
      route: PEER,
      params: { account_id: account, peer_id: id },
      // A full replacement: every desired field, nothing read-only.
      body: () => peerBody(body),
      signal,
    } as const;
    return decodeResult(req, await core.send(req), parsePeer);
  }

  async function deletePeer(account: string, id: string, signal?: AbortSignal): Promise<void> {
    const req = { method: 'DELETE', route: PEER, params: { account_id: account, peer_id: id }, signal } as const;
    await core.send(req, { notFoundAfterAmbiguousIsDone: true });
  }

  return { listPeers, createPeer, updatePeer, deletePeer };
}

function peerBody(b: CfPeerBody): Record<string, unknown> {
  return {
    name: b.name,
    ...(b.ip === undefined ? {} : { ip: b.ip }),
    ...(b.port === undefined ? {} : { port: b.port }),
    ...(b.ixfr_enable === undefined ? {} : { ixfr_enable: b.ixfr_enable }),
    ...(b.tsig_id === undefined ? {} : { tsig_id: b.tsig_id }),
  };
}
