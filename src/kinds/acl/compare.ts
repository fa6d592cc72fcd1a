/** Comparison of a desired ACL with a live one: the name exactly, the range in canonical form (2001:DB8::/64 = 2001:db8::/64). */
import type { CfAcl } from '../../cloudflare/types.js';
import { normalizeCidr } from '../../planner/net.js';
import type { FieldChange, PlannedAclBody } from '../../planner/plan.js';

export function compareAcl(desired: PlannedAclBody, live: CfAcl): FieldChange[] {
  const diff: FieldChange[] = [];
  if (desired.name !== live.name) diff.push({ path: '/name', before: live.name, after: desired.name });
  if (normalizeCidr(desired.ip_range) !== normalizeCidr(live.ip_range)) {
    diff.push({ path: '/ip_range', before: live.ip_range, after: desired.ip_range });
  }
  return diff;
}

export function aclCreationDiff(desired: PlannedAclBody): FieldChange[] {
  return [
    { path: '/name', after: desired.name },
    { path: '/ip_range', after: desired.ip_range },
  ];
}
