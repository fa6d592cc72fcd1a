/**
 * Account-owned API tokens (docs/cloudflare-api.md): the value appears only in the create and roll responses; a roll invalidates
 * the previous value at once; PUT is a full replacement; 500 tokens per account; listing is paginated and leaves
 * out expired tokens unless `include_expired=true`.
 */
import type { Handler, HandlerContext } from '../../emulator/context.js';
import type { Route } from '../../emulator/routes.js';
import { ApiError, CF_CODES, invalidBody, notFoundObject, ok } from '../../emulator/envelope.js';
import { PERMISSION_GROUPS_BY_ID } from '../../emulator/permission-groups.js';
import { newId, newTokenValue, sha256Hex } from '../../emulator/random.js';
import type { StoredPolicy, StoredToken, StoredTokenStatus } from '../../emulator/store.js';
import { effectiveStatus, tokenView } from '../../emulator/token-view.js';

export const TOKEN_QUOTA = 500;

interface TokenBody {
  name: string;
  policies: {
    effect: 'allow' | 'deny';
    permission_groups: { id: string; meta?: Record<string, string> }[];
    resources: Record<string, unknown>;
  }[];
  status?: string;
  condition?: StoredToken['condition'] & { 'request.ip'?: { in?: string[]; not_in?: string[] } };
  expires_on?: string;
  not_before?: string;
}

function existing(ctx: HandlerContext): StoredToken {
  const token = ctx.core.store.account(ctx.account).tokens.get(ctx.params.token_id ?? '');
  if (!token) throw notFoundObject(ctx.path);
  return token;
}

function policiesOf(ctx: HandlerContext, body: TokenBody): StoredPolicy[] {
  if (body.policies.length === 0) throw invalidBody('a token needs at least one policy', '/policies');
  return body.policies.map((p, i) => ({
    id: newId(ctx.core.random),
    effect: p.effect,
    resources: p.resources,
    permission_groups: p.permission_groups.map((ref, j) => {
      const group = PERMISSION_GROUPS_BY_ID.get(ref.id);
      if (!group) {
        throw new ApiError(400, {
          code: CF_CODES.unknownPermissionGroup,
          message: `Permission group ${ref.id} does not exist`,
          source: { pointer: `/policies/${i}/permission_groups/${j}/id` },
        });
      }
      return { id: group.id, name: group.name, ...(ref.meta === undefined ? {} : { meta: ref.meta }) };
    }),
  }));
}

/** Applies a create or full-replacement body; optional fields missing from the body are cleared. */
function fromBody(
  ctx: HandlerContext,
  base: Pick<StoredToken, 'id' | 'issued_on' | 'value_sha256'>,
  status: StoredTokenStatus,
): StoredToken {
  ctx.core.validator.check(ctx.operationId, ctx.body);
  const body = ctx.body as TokenBody;
  // Only identity carries over: everything else comes from the body (full replacement).
  const token: StoredToken = {
    id: base.id,
    issued_on: base.issued_on,
    value_sha256: base.value_sha256,
    name: body.name,
    status,
    policies: policiesOf(ctx, body),
    modified_on: ctx.core.clock.iso(),
  };
  const requestIp = body.condition?.request_ip ?? body.condition?.['request.ip'];
  if (requestIp !== undefined) token.condition = { request_ip: requestIp };
  if (body.expires_on !== undefined) token.expires_on = body.expires_on;
  if (body.not_before !== undefined) token.not_before = body.not_before;
  if (
    token.expires_on !== undefined &&
    token.not_before !== undefined &&
    Date.parse(token.expires_on) <= Date.parse(token.not_before)
  ) {
    throw invalidBody('expires_on must be after not_before', '/expires_on');
  }
  return token;
}

function mintValue(ctx: HandlerContext): { value: string; hash: string } {
  const value = newTokenValue(ctx.core.random);
  ctx.core.secrets.add(value);
  return { value, hash: sha256Hex(value) };
}

export const listTokens: Handler = (ctx) => {
  const page = Number(ctx.query.get('page') ?? '1');
  const perPage = Number(ctx.query.get('per_page') ?? '20');
  if (!Number.isInteger(page) || page < 1) throw invalidBody('page must be an integer ≥ 1', '/page');
  if (!Number.isInteger(perPage) || perPage < 5 || perPage > 50)
    throw invalidBody('per_page must be 5–50', '/per_page');
  const direction = ctx.query.get('direction') ?? 'asc';
  if (direction !== 'asc' && direction !== 'desc') throw invalidBody('direction must be asc or desc', '/direction');
  const includeExpired = ctx.query.get('include_expired') === 'true';
  const now = ctx.core.clock.now();
  const all = [...ctx.core.store.account(ctx.account).tokens.values()]
    .filter((t) => includeExpired || effectiveStatus(t, now) !== 'expired')
    .sort((a, b) => a.issued_on.localeCompare(b.issued_on) || a.id.localeCompare(b.id));
  if (direction === 'desc') all.reverse();
  const slice = all.slice((page - 1) * perPage, page * perPage);
  return ok(
    slice.map((t) => tokenView(t, now)),
    {
      page,
      per_page: perPage,
      count: slice.length,
      total_count: all.length,
      total_pages: Math.ceil(all.length / perPage),
    },
  );
};

export const getToken: Handler = (ctx) => ok(tokenView(existing(ctx), ctx.core.clock.now()));

export const createToken: Handler = (ctx) => {
  const acct = ctx.core.store.account(ctx.account);
  if (acct.tokens.size >= TOKEN_QUOTA) {
    throw new ApiError(400, {
      code: CF_CODES.tokenQuota,
      message: `This account already has ${TOKEN_QUOTA} tokens, the maximum`,
    });
  }
  const token = fromBody(
    ctx,
    { id: newId(ctx.core.random), issued_on: ctx.core.clock.iso(), value_sha256: '' },
    'active',
  );
  const minted = mintValue(ctx);
  token.value_sha256 = minted.hash;
  ctx.core.store.putToken(ctx.account, token);
  ctx.core.store.persist();
  return ok({ ...tokenView(token, ctx.core.clock.now()), value: minted.value });
};

export const updateToken: Handler = (ctx) => {
  const current = existing(ctx);
  const requested = (ctx.body as { status?: unknown } | null)?.status;
  // Cloudflare's revocation of an exposed token is final; `expired` is derived, so asking for it changes nothing.
  const status: StoredTokenStatus =
    current.status === 'revoked (exposed)' ? current.status : requested === 'disabled' ? 'disabled' : 'active';
  const token = fromBody(
    ctx,
    { id: current.id, issued_on: current.issued_on, value_sha256: current.value_sha256 },
    status,
  );
  if (current.last_used_on !== undefined) token.last_used_on = current.last_used_on;
  ctx.core.store.putToken(ctx.account, token);
  ctx.core.store.persist();
  return ok(tokenView(token, ctx.core.clock.now()));
};

export const deleteToken: Handler = (ctx) => {
  const token = existing(ctx);
  ctx.core.store.deleteToken(ctx.account, token.id);
  ctx.core.store.persist();
  return ok({ id: token.id });
};

/** docs/cloudflare-api.md: the SDK sends no body, cfgitops sends `{}`; both are accepted. */
export const rollToken: Handler = (ctx) => {
  const current = existing(ctx);
  if (ctx.body !== undefined) ctx.core.validator.check(ctx.operationId, ctx.body);
  const minted = mintValue(ctx);
  const token: StoredToken = { ...current, value_sha256: minted.hash, modified_on: ctx.core.clock.iso() };
  ctx.core.store.putToken(ctx.account, token, current.value_sha256);
  ctx.core.store.persist();
  return ok(minted.value);
};

/** The calling token's id and status. Only a token can verify itself; email + key has nothing to verify. */
export const verifyToken: Handler = (ctx) => {
  const p = ctx.principal;
  if (p.kind === 'bootstrap-token') return ok({ id: p.id, status: 'active' });
  if (p.kind === 'api-key') throw new ApiError(403, { code: CF_CODES.authentication, message: 'Authentication error' });
  const result: Record<string, unknown> = { id: p.token.id, status: effectiveStatus(p.token, ctx.core.clock.now()) };
  if (p.token.expires_on !== undefined) result.expires_on = p.token.expires_on;
  if (p.token.not_before !== undefined) result.not_before = p.token.not_before;
  return ok(result);
};

const A = '/accounts/{account_id}';

/** This kind's operations of src/contract/openapi.json. */
export const ROUTES: readonly Route[] = [
  { method: 'GET', template: `${A}/tokens`, operationId: 'account-api-tokens-list-tokens', handler: listTokens },
  { method: 'POST', template: `${A}/tokens`, operationId: 'account-api-tokens-create-token', handler: createToken },
  {
    method: 'GET',
    template: `${A}/tokens/verify`,
    operationId: 'account-api-tokens-verify-token',
    handler: verifyToken,
  },
  {
    method: 'GET',
    template: `${A}/tokens/{token_id}`,
    operationId: 'account-api-tokens-token-details',
    handler: getToken,
  },
  {
    method: 'PUT',
    template: `${A}/tokens/{token_id}`,
    operationId: 'account-api-tokens-update-token',
    handler: updateToken,
  },
  {
    method: 'DELETE',
    template: `${A}/tokens/{token_id}`,
    operationId: 'account-api-tokens-delete-token',
    handler: deleteToken,
  },
  {
    method: 'PUT',
    template: `${A}/tokens/{token_id}/value`,
    operationId: 'account-api-tokens-roll-token',
    handler: rollToken,
  },
];
