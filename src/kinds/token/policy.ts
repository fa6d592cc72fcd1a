/**
 * Guardrails on a token (pure): lifetime (`policy.tokenMaxLifetimeDays`), forbidden permission groups in allow
 * policies, and wildcard resources without a request_ip condition (`policy.wildcardNeedsIpCondition`).
 */
import type { DesiredToken } from '../../manifest/types.js';
import { violation, type Violation } from '../../planner/check-policy.js';
import { parseInstant } from '../../planner/instant.js';
import type { PolicyScope } from '../kind.js';

const DAY_MS = 86_400_000;

export function checkToken(d: DesiredToken, scope: PolicyScope, found: Violation[]): void {
  const { policy, forbidden, now } = scope;
  const maxDays = policy.tokenMaxLifetimeDays;
  if (maxDays !== undefined) {
    const hint = `set expires_on at most ${maxDays} days ahead (policy.tokenMaxLifetimeDays)`;
    const expires = d.spec.expires_on === undefined ? undefined : parseInstant(d.spec.expires_on);
    if (d.spec.expires_on === undefined) {
      found.push(violation(d, 'tokenMaxLifetimeDays', '/spec', `token "${d.spec.name}" has no expires_on`, hint));
    } else if (expires === undefined || expires > now + maxDays * DAY_MS) {
      const message = `token "${d.spec.name}" lives longer than ${maxDays} days`;
      found.push(violation(d, 'tokenMaxLifetimeDays', '/spec/expires_on', message, hint));
    }
  }
  const hasIpCondition = (d.spec.condition?.request_ip?.in?.length ?? 0) > 0;
  d.spec.policies.forEach((p, i) => {
    // A deny policy only takes permissions away: neither a forbidden group nor a wildcard in it widens access.
    if (p.effect !== 'allow') return;
    for (const g of scope.groupsOf(d, i) ?? []) {
      if ((g.name !== undefined && forbidden.has(g.name)) || (g.id !== undefined && forbidden.has(g.id))) {
        found.push(
          violation(
            d,
            'forbiddenPermissionGroups',
            `/spec/policies/${i}/permission_groups/${g.selector}`,
            `permission group "${g.name ?? g.id ?? ''}" is forbidden`,
            'policy.forbiddenPermissionGroups lists it',
          ),
        );
      }
    }
    if (policy.wildcardNeedsIpCondition && !hasIpCondition && hasWildcard(p.resources)) {
      found.push(
        violation(
          d,
          'wildcardNeedsIpCondition',
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
