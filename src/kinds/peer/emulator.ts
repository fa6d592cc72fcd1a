/**
 * Secondary DNS peers (docs/cloudflare-api.md): POST takes only `{name}` — anything else is rejected, so a client that sends the
 * whole peer in one POST (the Terraform provider's bug) is caught; PUT is a full replacement.
 */
import { isIP } from 'node:net';
import type { Handler, HandlerContext } from '../../emulator/context.js';
import type { Route } from '../../emulator/routes.js';
import { ApiError, CF_CODES, invalidBody, ok } from '../../emulator/envelope.js';
import { newId } from '../../emulator/random.js';
import type { StoredPeer } from '../../emulator/store.js';

function peerNotFound(): ApiError {
  return new ApiError(404, { code: CF_CODES.secondaryDnsNotFound, message: 'peer not found' });
}

function existing(ctx: HandlerContext): StoredPeer {
  const peer = ctx.core.store.account(ctx.account).peers.get(ctx.params.peer_id ?? '');
  if (!peer) throw peerNotFound();
  return peer;
}

export const listPeers: Handler = (ctx) => ok([...ctx.core.store.account(ctx.account).peers.values()]);

export const getPeer: Handler = (ctx) => ok(existing(ctx));

export const createPeer: Handler = (ctx) => {
  ctx.core.validator.check(ctx.operationId, ctx.body);
  const body = ctx.body as Record<string, unknown>;
  const extra = Object.keys(body).find((k) => k !== 'name');
  if (extra !== undefined) {
    throw invalidBody(`Only name is accepted when creating a peer; set ${extra} with a PUT`, `/${extra}`);
  }
  const peer: StoredPeer = { id: newId(ctx.core.random), name: body.name as string };
  ctx.core.store.account(ctx.account).peers.set(peer.id, peer);
  ctx.core.store.persist();
  return ok(peer);
};

export const updatePeer: Handler = (ctx) => {
  const current = existing(ctx);
  ctx.core.validator.check(ctx.operationId, ctx.body);
  const body = ctx.body as Record<string, unknown>;
  const next: StoredPeer = { id: current.id, name: body.name as string };
  if (body.ip !== undefined) {
    if (typeof body.ip !== 'string' || isIP(body.ip) === 0)
      throw invalidBody('ip must be an IPv4 or IPv6 address', '/ip');
    next.ip = body.ip;
  }
  if (body.port !== undefined) {
    const port = body.port as number;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalidBody('port must be 1–65535', '/port');
    next.port = port;
  }
  if (body.ixfr_enable !== undefined) next.ixfr_enable = body.ixfr_enable as boolean;
  if (body.tsig_id !== undefined && body.tsig_id !== '') {
    const tsigId = body.tsig_id as string;
    if (!ctx.core.store.account(ctx.account).tsigs.has(tsigId)) {
      throw new ApiError(400, { code: CF_CODES.tsigUnknown, message: 'tsig_id does not name a TSIG of this account' });
    }
    next.tsig_id = tsigId;
  }
  ctx.core.store.account(ctx.account).peers.set(next.id, next);
  ctx.core.store.persist();
  return ok(next);
};

export const deletePeer: Handler = (ctx) => {
  const peer = existing(ctx);
  const zone = [...ctx.core.store.zones.values()].find(
    (z) => z.account === ctx.account && (z.incoming?.peers.includes(peer.id) || z.outgoing?.peers.includes(peer.id)),
  );
  if (zone) {
    throw new ApiError(400, { code: CF_CODES.peerInUse, message: `peer is in use by zone ${zone.name} (${zone.id})` });
  }
  ctx.core.store.account(ctx.account).peers.delete(peer.id);
  ctx.core.store.persist();
  return ok({ id: peer.id });
};

const A = '/accounts/{account_id}';

/** This kind's operations of src/contract/openapi.json. */
export const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    template: `${A}/secondary_dns/peers`,
    operationId: 'secondary-dns-(-peer)-list-peers',
    handler: listPeers,
  },
  {
    method: 'POST',
    template: `${A}/secondary_dns/peers`,
    operationId: 'secondary-dns-(-peer)-create-peer',
    handler: createPeer,
  },
  {
    method: 'GET',
    template: `${A}/secondary_dns/peers/{peer_id}`,
    operationId: 'secondary-dns-(-peer)-peer-details',
    handler: getPeer,
  },
  {
    method: 'PUT',
    template: `${A}/secondary_dns/peers/{peer_id}`,
    operationId: 'secondary-dns-(-peer)-update-peer',
    handler: updatePeer,
  },
  {
    method: 'DELETE',
    template: `${A}/secondary_dns/peers/{peer_id}`,
    operationId: 'secondary-dns-(-peer)-delete-peer',
    handler: deletePeer,
  },
];
