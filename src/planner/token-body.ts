/**
 * A desired token as the API body it becomes: permission-group names resolved to ids against the account's live
 * catalog, status defaulted to `active`, the condition written as `request_ip`. Resolution problems come back as
 * errors positioned at the selector (`/spec/policies/0/permission_groups/1`).
 */
import type { CfTokenBody } from '../cloudflare/types.js';
import { CfgitopsError } from '../errors.js';
import type { DesiredToken } from '../manifest/types.js';
import type { PermissionCatalog } from './permission-catalog.js';

export interface ResolvedPermissionGroup {
  id: string;
  name: string;
  /** Index of the selector in its policy's `permission_groups`: a pointer string per group would be built for
   * every token of every plan and read only for a violation. */
  selector: number;
}

export interface ResolvedToken {
  body: CfTokenBody;
  /** Per policy index, the groups it resolved to (for guardrails and messages). */
  permissionGroups: ResolvedPermissionGroup[][];
}

export function buildTokenBody(
  desired: DesiredToken,
  catalog: PermissionCatalog,
): { token: ResolvedToken; errors: CfgitopsError[] } {
  const { spec } = desired;
  const errors: CfgitopsError[] = [];
  const permissionGroups: ResolvedPermissionGroup[][] = [];
  const policies = spec.policies.map((policy, i) => {
    const groups: ResolvedPermissionGroup[] = [];
    policy.permission_groups.forEach((selector, j) => {
      const r = catalog.resolve(selector);
      if (r.ok) groups.push({ id: r.id, name: r.name, selector: j });
      else {
        const location = desired.locate(`/spec/policies/${i}/permission_groups/${j}`);
        errors.push(new CfgitopsError(r.code, r.message, { location, hint: r.hint }));
      }
    });
    permissionGroups.push(groups);
    return {
      effect: policy.effect,
      permission_groups: groups.map((g) => ({ id: g.id })),
      resources: policy.resources,
    };
  });
  const body: CfTokenBody = { name: spec.name, policies, status: spec.status ?? 'active' };
  const ip = spec.condition?.request_ip;
  if (ip && (ip.in !== undefined || ip.not_in !== undefined)) {
    // By assignment, same keys in the same order: conditional spreads run several times slower in V8.
    const requestIp: NonNullable<NonNullable<CfTokenBody['condition']>['request_ip']> = {};
    if (ip.in !== undefined) requestIp.in = ip.in;
    if (ip.not_in !== undefined) requestIp.not_in = ip.not_in;
    body.condition = { request_ip: requestIp };
  }
  if (spec.expires_on !== undefined) body.expires_on = spec.expires_on;
  if (spec.not_before !== undefined) body.not_before = spec.not_before;
  return { token: { body, permissionGroups }, errors };
}
