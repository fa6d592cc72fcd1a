/** Planning an ACL (pure): a full body, compared field by field. */
import type { CfAcl } from '../../cloudflare/types.js';
import type { DesiredAcl } from '../../manifest/types.js';
import type { PlannedAclBody } from '../../planner/plan.js';
import type { Adapter } from '../kind.js';
import { aclCreationDiff, compareAcl } from './compare.js';

export function aclAdapter(d: DesiredAcl): Adapter {
  const body: PlannedAclBody = { kind: 'SecondaryDnsAcl', name: d.spec.name, ip_range: d.spec.ip_range };
  return {
    body,
    compare: (live) => compareAcl(body, live as CfAcl),
    creation: () => aclCreationDiff(body),
  };
}
