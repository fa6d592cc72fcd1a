/**
 * Guardrails on a token (pure): lifetime (`policy.tokenMaxLifetimeDays`), forbidden permission groups in allow
 * policies, and wildcard resources without a request_ip condition (`policy.wildcardNeedsIpCondition`).
 */
import type { CfgitopsError } from '../../errors.js';
import type { DesiredToken } from '../../manifest/types.js';
import { violation } from '../../planner/check-policy.js';
import { parseInstant } from '../../planner/instant.js';
import { addressKey } from '../../resources.js';
import type { PolicyScope } from '../kind.js';

const DAY_MS = 86_400_000;

export function checkToken(d: DesiredToken, scope: PolicyScope, errors: CfgitopsError[]): void {
  const { policy, forbidden, now } = scope;
  const resolved = scope.resolvedTokens.get(addressKey(d.address));
  const maxDays = policy.tokenMaxLifetimeDays;
  if (maxDays !== undefined) {
    const hint = `set expires_on at most ${maxDays} days ahead (policy.tokenMaxLifetimeDays)`;
    const expires = d.spec.expires_on === undefined ? undefined : parseInstant(d.spec.expires_on);
    if (d.spec.expires_on === undefined) {
      errors.push(violation(d, '/spec', `token "${d.spec.name}" has no expires_on`, hint));
    } else if (expires === undefined || expires > now + maxDays * DAY_MS) {
      errors.push(violation(d, '/spec/expires_on', `token "${d.spec.name}" lives longer than ${maxDays} days`, hint));
    }
  }
  const hasIpCondition = (d.spec.condition?.request_ip?.in?.length ?? 0) > 0;
  d.spec.policies.forEach((p, i) => {
    // A deny policy only takes permissions away: neither a forbidden group nor a wildcard in it widens access.
    if (p.effect !== 'allow') return;
    for (const g of resolved?.permissionGroups[i] ?? []) {
      if (forbidden.has(g.name) || forbidden.has(g.id)) {
        errors.push(
          violation(
            d,
            g.pointer,
            `permission group "${g.name}" is forbidden`,
            'policy.forbiddenPermissionGroups lists it',
          ),
        );
      }
    }
    if (policy.wildcardNeedsIpCondition && !hasIpCondition && hasWildcard(p.resources)) {
      errors.push(
        violation(
          d,
          `/spec/policies/${i}/resources`,
          `token "${d.spec.name}" grants wildcard resources without a request_ip condition`,
          'add condition.request_ip.in, or name the resources explicitly (policy.wildcardNeedsIpCondition)',
        ),
      );
    }
  });
}

function hasWildcard(resources: Record<string, string | Record<string, string>>): boolean {
  return Object.entries(resources).some(
    ([k, v]) => k.endsWith('*') || (typeof v === 'object' && v !== null && hasWildcard(v)),
  );
}
