/**
 * Secondary DNS ACLs (docs/cloudflare-api.md "Zone transfers"): `{name, ip_range}`, the range at most a /24 (IPv4)
 * or a /64 (IPv6), as Cloudflare refuses wider ones.
 */
import type { Handler, HandlerContext } from '../../emulator/context.js';
import { ApiError, CF_CODES, invalidBody, ok } from '../../emulator/envelope.js';
import { newId } from '../../emulator/random.js';
import type { Route } from '../../emulator/routes.js';
import type { StoredAcl } from '../../emulator/store.js';
import { isCidr } from '../../manifest/formats.js';
import { ACL_MAX_PREFIX } from './policy.js';

function existing(ctx: HandlerContext): StoredAcl {
  const acl = ctx.core.store.account(ctx.account).acls.get(ctx.params.acl_id ?? '');
  if (!acl) throw new ApiError(404, { code: CF_CODES.secondaryDnsNotFound, message: 'acl not found' });
  return acl;
}

function parseBody(ctx: HandlerContext, id: string): StoredAcl {
  ctx.core.validator.check(ctx.operationId, ctx.body);
  const body = ctx.body as { name: string; ip_range: string };
  const range = body.ip_range;
  if (!isCidr(range)) throw invalidBody('ip_range must be an IPv4 or IPv6 CIDR', '/ip_range');
  const family = range.includes(':') ? 6 : 4;
  const slash = range.indexOf('/');
  const prefix = slash < 0 ? (family === 4 ? 32 : 128) : Number(range.slice(slash + 1));
  if (prefix < ACL_MAX_PREFIX[family]) {
    throw invalidBody(`ip_range may be at most a /${ACL_MAX_PREFIX[family]}`, '/ip_range');
  }
  return { id, name: body.name, ip_range: range };
}

export const listAcls: Handler = (ctx) => ok([...ctx.core.store.account(ctx.account).acls.values()]);

export const getAcl: Handler = (ctx) => ok(existing(ctx));

export const createAcl: Handler = (ctx) => {
  const acl = parseBody(ctx, newId(ctx.core.random));
  ctx.core.store.account(ctx.account).acls.set(acl.id, acl);
  ctx.core.store.persist();
  return ok(acl);
};

export const updateAcl: Handler = (ctx) => {
  const acl = parseBody(ctx, existing(ctx).id);
  ctx.core.store.account(ctx.account).acls.set(acl.id, acl);
  ctx.core.store.persist();
  return ok(acl);
};

export const deleteAcl: Handler = (ctx) => {
  const acl = existing(ctx);
  ctx.core.store.account(ctx.account).acls.delete(acl.id);
  ctx.core.store.persist();
  return ok({ id: acl.id });
};

const A = '/accounts/{account_id}';

/** This kind's operations of src/contract/openapi.json. */
export const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    template: `${A}/secondary_dns/acls`,
    operationId: 'secondary-dns-(-acl)-list-ac-ls',
    handler: listAcls,
  },
  {
    method: 'POST',
    template: `${A}/secondary_dns/acls`,
    operationId: 'secondary-dns-(-acl)-create-acl',
    handler: createAcl,
  },
  {
    method: 'GET',
    template: `${A}/secondary_dns/acls/{acl_id}`,
    operationId: 'secondary-dns-(-acl)-acl-details',
    handler: getAcl,
  },
  {
    method: 'PUT',
    template: `${A}/secondary_dns/acls/{acl_id}`,
    operationId: 'secondary-dns-(-acl)-update-acl',
    handler: updateAcl,
  },
  {
    method: 'DELETE',
    template: `${A}/secondary_dns/acls/{acl_id}`,
    operationId: 'secondary-dns-(-acl)-delete-acl',
    handler: deleteAcl,
  },
];
