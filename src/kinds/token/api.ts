/** Account-owned API tokens (docs/cloudflare-api.md "Account-owned API tokens"). */
import type { Secret } from '../../secret.js';
import type { ApiContext } from '../../cloudflare/api-context.js';
import { createWithRecovery } from '../../cloudflare/create-with-recovery.js';
import { calledPath } from '../../cloudflare/http-core.js';
import { decodeResult } from '../../cloudflare/decode-result.js';
import { paginateAll } from '../../cloudflare/paginate.js';
import {
  parseRolledValue,
  parseToken,
  parseTokenWithValue,
  parseVerification,
} from '../../cloudflare/parse-resources.js';
import type {
  CfToken,
  CfTokenBody,
  CfTokenVerification,
  CloudflareApi,
  TokenCreateOutcome,
} from '../../cloudflare/types.js';

const TOKENS = '/accounts/{account_id}/tokens';
const TOKEN = '/accounts/{account_id}/tokens/{token_id}';
const TOKEN_VALUE = '/accounts/{account_id}/tokens/{token_id}/value';
const VERIFY = '/accounts/{account_id}/tokens/verify';

export type TokensApi = Pick<
  CloudflareApi,
  'listTokens' | 'getToken' | 'createToken' | 'updateToken' | 'deleteToken' | 'rollToken' | 'verifyToken'
>;

/** Policies as sent: no read-only `id`, no display-only permission-group `name`. */
function policiesBody(body: CfTokenBody): unknown[] {
  return body.policies.map((p) => ({
    effect: p.effect,
    permission_groups: p.permission_groups.map((g) =>
      g.meta === undefined ? { id: g.id } : { id: g.id, meta: g.meta },
    ),
    resources: p.resources,
  }));
}

function createBody(body: CfTokenBody): Record<string, unknown> {
  return {
    name: body.name,
    policies: policiesBody(body),
    ...(body.condition === undefined ? {} : { condition: body.condition }),
    ...(body.expires_on === undefined ? {} : { expires_on: body.expires_on }),
    ...(body.not_before === undefined ? {} : { not_before: body.not_before }),
  };
}

/** PUT is a full replacement: status and condition are always sent, so an omission never keeps a stale value. */
function updateBody(body: CfTokenBody): Record<string, unknown> {
  return {
    ...createBody(body),
    status: body.status ?? 'active',
    condition: body.condition ?? {},
  };
}

export function tokensApi({ core, recovery }: ApiContext): TokensApi {
  async function listTokens(account: string, signal?: AbortSignal): Promise<CfToken[]> {
    // Expired tokens are still ours to manage (config tokens.onExpired): ask for them too.
    const req = {
      method: 'GET',
      route: TOKENS,
      params: { account_id: account },
      query: { include_expired: 'true' },
      signal,
    } as const;
    return paginateAll(core, req, parseToken);
  }

  async function getToken(account: string, id: string, signal?: AbortSignal): Promise<CfToken> {
    const req = { method: 'GET', route: TOKEN, params: { account_id: account, token_id: id }, signal } as const;
    return decodeResult(req, await core.send(req), parseToken);
  }

  async function createToken(account: string, body: CfTokenBody, signal?: AbortSignal): Promise<TokenCreateOutcome> {
    const req = {
      method: 'POST',
      route: TOKENS,
      params: { account_id: account },
      body: () => createBody(body),
      signal,
    } as const;
    const outcome = await createWithRecovery<{ token: CfToken; value: Secret | undefined }>(recovery, {
      route: calledPath(req),
      name: body.name,
      signal,
      post: async () => decodeResult(req, await core.send(req), parseTokenWithValue),
      // Found by name means the value went with the lost answer: `value: undefined`, and the executor rolls it.
      findByName: async () =>
        (await listTokens(account, signal))
          .filter((t) => t.name === body.name)
          .map((token) => ({ token, value: undefined })),
    });
    return { resource: outcome.resource.token, value: outcome.resource.value, recovered: outcome.recovered };
  }

  async function updateToken(account: string, id: string, body: CfTokenBody, signal?: AbortSignal): Promise<CfToken> {
    const req = {
      method: 'PUT',
      route: TOKEN,
      params: { account_id: account, token_id: id },
      body: () => updateBody(body),
      signal,
    } as const;
    return decodeResult(req, await core.send(req), parseToken);
  }

  async function deleteToken(account: string, id: string, signal?: AbortSignal): Promise<void> {
    const req = { method: 'DELETE', route: TOKEN, params: { account_id: account, token_id: id }, signal } as const;
    await core.send(req, { notFoundAfterAmbiguousIsDone: true });
  }

  /** Retried like any PUT even though each roll invalidates the last value: see retry-policy.ts for why. */
  async function rollToken(account: string, id: string, signal?: AbortSignal): Promise<Secret> {
    const req = {
      method: 'PUT',
      route: TOKEN_VALUE,
      params: { account_id: account, token_id: id },
      body: () => ({}),
      signal,
    } as const;
    return decodeResult(req, await core.send(req), parseRolledValue);
  }

  async function verifyToken(account: string, value?: Secret, signal?: AbortSignal): Promise<CfTokenVerification> {
    const req = {
      method: 'GET',
      route: VERIFY,
      params: { account_id: account },
      ...(value === undefined ? {} : { credentials: { type: 'token', token: value } as const }),
      signal,
    } as const;
    return decodeResult(req, await core.send(req), parseVerification);
  }

  return { listTokens, getToken, createToken, updateToken, deleteToken, rollToken, verifyToken };
}
