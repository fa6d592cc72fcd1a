/**
 * Secondary DNS TSIG keys (docs/cloudflare-api.md): create and update take `{name, algo, secret}`; GET returns the secret.
 * Deleting a TSIG a peer still points at is refused, which catches clients that delete in the wrong order.
 */
import type { Handler, HandlerContext } from '../../emulator/context.js';
import type { Route } from '../../emulator/routes.js';
import { ApiError, CF_CODES, invalidBody, ok } from '../../emulator/envelope.js';
import { newId } from '../../emulator/random.js';
import type { StoredTsig } from '../../emulator/store.js';

const ALGORITHMS = new Set([
  'hmac-md5.sig-alg.reg.int.',
  'hmac-sha1.',
  'hmac-sha224.',
  'hmac-sha256.',
  'hmac-sha384.',
  'hmac-sha512.',
]);

function existing(ctx: HandlerContext): StoredTsig {
  const tsig = ctx.core.store.account(ctx.account).tsigs.get(ctx.params.tsig_id ?? '');
  if (!tsig) throw new ApiError(404, { code: CF_CODES.secondaryDnsNotFound, message: 'tsig not found' });
  return tsig;
}

function parseBody(ctx: HandlerContext, id: string): StoredTsig {
  ctx.core.validator.check(ctx.operationId, ctx.body);
  const body = ctx.body as { name: string; algo: string; secret: string };
  if (!ALGORITHMS.has(body.algo)) {
    throw invalidBody(`algo must be one of ${[...ALGORITHMS].join(', ')}`, '/algo');
  }
  if (body.secret.length === 0) throw invalidBody('secret must not be empty', '/secret');
  ctx.core.secrets.add(body.secret);
  return { id, name: body.name, algo: body.algo, secret: body.secret };
}

export const listTsigs: Handler = (ctx) => ok([...ctx.core.store.account(ctx.account).tsigs.values()]);

export const getTsig: Handler = (ctx) => ok(existing(ctx));

export const createTsig: Handler = (ctx) => {
  const tsig = parseBody(ctx, newId(ctx.core.random));
  ctx.core.store.account(ctx.account).tsigs.set(tsig.id, tsig);
  ctx.core.store.persist();
  return ok(tsig);
};

export const updateTsig: Handler = (ctx) => {
  const current = existing(ctx);
  const tsig = parseBody(ctx, current.id);
  ctx.core.store.account(ctx.account).tsigs.set(tsig.id, tsig);
  ctx.core.store.persist();
  return ok(tsig);
};

export const deleteTsig: Handler = (ctx) => {
  const tsig = existing(ctx);
  const acct = ctx.core.store.account(ctx.account);
  const user = [...acct.peers.values()].find((p) => p.tsig_id === tsig.id);
  if (user) {
    throw new ApiError(400, { code: CF_CODES.tsigInUse, message: `tsig is in use by peer ${user.id}` });
  }
  acct.tsigs.delete(tsig.id);
  ctx.core.store.persist();
  return ok({ id: tsig.id });
};

const A = '/accounts/{account_id}';

/** This kind's operations of src/contract/openapi.json. */
export const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    template: `${A}/secondary_dns/tsigs`,
    operationId: 'secondary-dns-(-tsig)-list-tsi-gs',
    handler: listTsigs,
  },
  {
    method: 'POST',
    template: `${A}/secondary_dns/tsigs`,
    operationId: 'secondary-dns-(-tsig)-create-tsig',
    handler: createTsig,
  },
  {
    method: 'GET',
    template: `${A}/secondary_dns/tsigs/{tsig_id}`,
    operationId: 'secondary-dns-(-tsig)-tsig-details',
    handler: getTsig,
  },
  {
    method: 'PUT',
    template: `${A}/secondary_dns/tsigs/{tsig_id}`,
    operationId: 'secondary-dns-(-tsig)-update-tsig',
    handler: updateTsig,
  },
  {
    method: 'DELETE',
    template: `${A}/secondary_dns/tsigs/{tsig_id}`,
    operationId: 'secondary-dns-(-tsig)-delete-tsig',
    handler: deleteTsig,
  },
];
