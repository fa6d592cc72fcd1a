/**
 * How a stored token is shown by the API: `expired` derived from the clock, policies and their permission groups
 * deterministically shuffled (docs/cloudflare-api.md: order is not preserved), and never the value.
 */
import { shuffledBy } from './random.js';
import type { StoredToken } from './store.js';

export type TokenStatus = 'active' | 'disabled' | 'expired' | 'revoked (exposed)';

export function effectiveStatus(token: StoredToken, now: number): TokenStatus {
  if (token.status === 'active' && token.expires_on !== undefined && now >= Date.parse(token.expires_on)) {
    return 'expired';
  }
  return token.status;
}

export function tokenView(token: StoredToken, now: number): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: token.id,
    name: token.name,
    status: effectiveStatus(token, now),
    issued_on: token.issued_on,
    modified_on: token.modified_on,
    policies: shuffledBy(token.policies, token.id).map((p) => ({
      id: p.id,
      effect: p.effect,
      resources: p.resources,
      permission_groups: shuffledBy(p.permission_groups, p.id),
    })),
  };
  if (token.condition !== undefined) view.condition = token.condition;
  if (token.expires_on !== undefined) view.expires_on = token.expires_on;
  if (token.not_before !== undefined) view.not_before = token.not_before;
  if (token.last_used_on !== undefined) view.last_used_on = token.last_used_on;
  return view;
}
