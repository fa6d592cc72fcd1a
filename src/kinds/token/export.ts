/**
 * `cfgitops export` of a token: as Cloudflare holds it, marked `cfgitops.dev/on-adopt: keep` (its value is in use
 * and cannot be read back). Revoked and expired tokens are left out: adopting them could not be change-free.
 */
import type { CfToken } from '../../cloudflare/types.js';
import { parseInstant } from '../../planner/instant.js';
import { ANNOTATION_ON_ADOPT } from '../../resources.js';
import type { ExportKind } from '../../workflow/export-kinds.js';

export const tokenExport: ExportKind<'AccountToken'> = {
  kind: 'AccountToken',
  file: 'tokens',
  noun: 'token',
  fallbackName: 'token',
  list: (live) => live.tokens,
  skip: (live: CfToken, scope) => {
    if (live.status === 'revoked (exposed)') {
      return 'revoked by Cloudflare as exposed: it cannot be used; delete it in Cloudflare';
    }
    const expiresAt = live.expires_on === undefined ? undefined : parseInstant(live.expires_on);
    if (live.status === 'expired' || (expiresAt !== undefined && expiresAt <= scope.now)) {
      return 'expired: adopting it would re-create or roll it (tokens.onExpired); delete it in Cloudflare, or declare a new token';
    }
    return undefined;
  },
  spec: (live: CfToken, _name, scope) => {
    const spec: Record<string, unknown> = {
      name: live.name,
      // As Cloudflare holds them: policy and resource order, flat or nested resources; the planner compares sets.
      policies: live.policies.map((p) => ({
        effect: p.effect,
        permission_groups: p.permission_groups.map((g) => scope.permissionGroups(g.id)),
        resources: p.resources,
      })),
    };
    const ip = live.condition?.request_ip;
    const inList = ip?.in ?? [];
    const notIn = ip?.not_in ?? [];
    if (inList.length > 0 || notIn.length > 0) {
      spec['condition'] = {
        request_ip: { ...(inList.length > 0 ? { in: inList } : {}), ...(notIn.length > 0 ? { not_in: notIn } : {}) },
      };
    }
    if (live.not_before !== undefined) spec['not_before'] = live.not_before;
    if (live.expires_on !== undefined) spec['expires_on'] = live.expires_on;
    spec['status'] = live.status;
    // Its value is in use somewhere and cannot be read back: adoption must keep it there, never roll it.
    return { spec, annotations: { [ANNOTATION_ON_ADOPT]: 'keep' } };
  },
};
