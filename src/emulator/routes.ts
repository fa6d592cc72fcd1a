/**
 * Every operation of src/contract/openapi.json, by method and path template, and the matcher that maps a
 * request path onto them. Static segments win over parameters (`tokens/verify` is not a token id).
 */
import type { Handler } from './context.js';
import { listPermissionGroups } from './permission-groups.js';
import { createPeer, deletePeer, getPeer, listPeers, updatePeer } from './peers.js';
import { createToken, deleteToken, getToken, listTokens, rollToken, updateToken, verifyToken } from './tokens.js';
import { createTsig, deleteTsig, getTsig, listTsigs, updateTsig } from './tsigs.js';

export interface Route {
  method: string;
  template: string;
  operationId: string;
  handler: Handler;
}

const A = '/accounts/{account_id}';

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
    template: `${A}/tokens/permission_groups`,
    operationId: 'account-api-tokens-list-permission-groups',
    handler: listPermissionGroups,
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

function matchTemplate(template: string, path: string): Record<string, string> | undefined {
  const t = template.split('/');
  const p = path.split('/');
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i]!;
    const actual = p[i]!;
    if (seg.startsWith('{')) {
      if (actual === '') return undefined;
      params[seg.slice(1, -1)] = decodeURIComponent(actual);
    } else if (seg !== actual) return undefined;
  }
  return params;
}

/** Templates with fewer parameters are more specific, so they come first. */
const BY_SPECIFICITY = [...ROUTES].sort(
  (a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0),
);

/** The route for a method and path; `bad-method` when the path exists with other methods (405, not 404). */
export function matchRoute(
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | 'no-route' | 'bad-method' {
  let pathMatched = false;
  const matchedTemplates = new Set<string>();
  for (const route of BY_SPECIFICITY) {
    const params = matchTemplate(route.template, path);
    if (!params) continue;
    // A more specific template already claimed this path (e.g. tokens/verify); a parameter route must not take it.
    if (
      [...matchedTemplates].some(
        (t) => t !== route.template && t.split('/').length === route.template.split('/').length,
      )
    ) {
      continue;
    }
    matchedTemplates.add(route.template);
    pathMatched = true;
    if (route.method === method) return { route, params };
  }
  return pathMatched ? 'bad-method' : 'no-route';
}
