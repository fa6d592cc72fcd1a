/**
 * Guardrails from the config's `policy` section, checked on the desired state before anything is applied:
 * token lifetime, forbidden permission groups, wildcard resources without an IP condition, peer addresses and
 * ports. Every violation is an E_POLICY_VIOLATION positioned at the offending manifest field.
 */
import type { GuardrailPolicy } from '../config/types.js';
import { CfgitopsError } from '../errors.js';
import type { DesiredPeer, DesiredResource, DesiredToken } from '../manifest/types.js';
import { addressKey } from '../resources.js';
import { parseInstant } from './instant.js';
import { cidrContains } from './net.js';
import type { ResolvedToken } from './token-body.js';

const DAY_MS = 86_400_000;

export function checkPolicy(
  desired: readonly DesiredResource[],
  resolvedTokens: ReadonlyMap<string, ResolvedToken>,
  policy: GuardrailPolicy,
  now: number,
): CfgitopsError[] {
  const errors: CfgitopsError[] = [];
  const forbidden = new Set(policy.forbiddenPermissionGroups ?? []);
  for (const d of desired) {
    if (d.kind === 'AccountToken')
      checkToken(d, resolvedTokens.get(addressKey(d.address)), policy, forbidden, now, errors);
    else if (d.kind === 'SecondaryDnsPeer') checkPeer(d, policy, errors);
  }
  return errors;
}

function violation(d: DesiredResource, pointer: string, message: string, hint: string): CfgitopsError {
  return new CfgitopsError('E_POLICY_VIOLATION', message, { location: d.locate(pointer), hint });
}

function checkToken(
  d: DesiredToken,
  resolved: ResolvedToken | undefined,
  policy: GuardrailPolicy,
  forbidden: ReadonlySet<string>,
  now: number,
  errors: CfgitopsError[],
): void {
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

function checkPeer(d: DesiredPeer, policy: GuardrailPolicy, errors: CfgitopsError[]): void {
  const cidrs = policy.peerAllowedCidrs;
  const ip = d.spec.ip;
  if (cidrs && ip !== undefined && !cidrs.some((c) => cidrContains(c, ip))) {
    errors.push(
      violation(
        d,
        '/spec/ip',
        `peer "${d.spec.name}" address ${ip} is outside the allowed networks`,
        `allowed: ${cidrs.join(', ')} (policy.peerAllowedCidrs)`,
      ),
    );
  }
  const ports = policy.peerAllowedPorts;
  if (ports && !ports.includes(d.spec.port)) {
    errors.push(
      violation(
        d,
        '/spec/port',
        `peer "${d.spec.name}" port ${d.spec.port} is not allowed`,
        `allowed: ${ports.join(', ')} (policy.peerAllowedPorts)`,
      ),
    );
  }
}
