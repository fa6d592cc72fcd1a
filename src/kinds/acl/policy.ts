/**
 * Load-time range limits and guardrails on an ACL (pure). Cloudflare takes at most a /24 (IPv4) or a /64 (IPv6);
 * `policy.aclAllowedCidrs` confines ranges to networks the organisation owns (an ACL opens zone transfers).
 */
import { CfgitopsError, type SourceLocation } from '../../errors.js';
import { isCidr } from '../../manifest/formats.js';
import type { DesiredAcl } from '../../manifest/types.js';
import { violation, type Violation } from '../../planner/check-policy.js';
import { cidrContains, cidrWithHostBits } from '../../planner/net.js';
import type { PolicyScope } from '../kind.js';

/** The widest prefix Cloudflare accepts per family. */
export const ACL_MAX_PREFIX = { 4: 24, 6: 64 } as const;

function prefixOf(range: string): { family: 4 | 6; prefix: number } {
  const family = range.includes(':') ? 6 : 4;
  const slash = range.indexOf('/');
  return { family, prefix: slash < 0 ? (family === 4 ? 32 : 128) : Number(range.slice(slash + 1)) };
}

export function checkAclSpec(spec: Record<string, unknown>, locate: (p: string) => SourceLocation): CfgitopsError[] {
  const range = spec['ip_range'];
  // Not a CIDR: the schema says so already.
  if (typeof range !== 'string' || !isCidr(range)) return [];
  const { family, prefix } = prefixOf(range);
  const widest = ACL_MAX_PREFIX[family];
  if (prefix < widest) {
    return [
      new CfgitopsError('E_ACL_RANGE', `${range} is wider than Cloudflare allows for an ACL (at most a /${widest})`, {
        location: locate('/spec/ip_range'),
        hint: `split it into /${widest} ranges, one SecondaryDnsAcl each`,
      }),
    ];
  }
  const network = cidrWithHostBits(range);
  if (network !== undefined) {
    return [
      new CfgitopsError('E_CIDR_HOST_BITS', `${range} has host bits set after the /${prefix} prefix`, {
        location: locate('/spec/ip_range'),
        hint: `write the network address ${network}`,
      }),
    ];
  }
  return [];
}

export function checkAcl(d: DesiredAcl, { policy }: PolicyScope, found: Violation[]): void {
  const allowed = policy.aclAllowedCidrs;
  if (!allowed) return;
  const range = d.spec.ip_range;
  const { prefix } = prefixOf(range);
  const address = range.split('/')[0]!;
  const inside = allowed.some((c) => cidrContains(c, address) && prefixOf(c).prefix <= prefix);
  if (!inside) {
    found.push(
      violation(
        d,
        'aclAllowedCidrs',
        '/spec/ip_range',
        `ACL "${d.spec.name}" range ${range} is outside the allowed networks`,
        `allowed: ${allowed.join(', ')} (policy.aclAllowedCidrs)`,
      ),
    );
  }
}
