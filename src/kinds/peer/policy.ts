/** Guardrails on a peer (pure): its address inside `policy.peerAllowedCidrs`, its port in `policy.peerAllowedPorts`. */
import type { CfgitopsError } from '../../errors.js';
import type { DesiredPeer } from '../../manifest/types.js';
import { violation } from '../../planner/check-policy.js';
import { cidrContains } from '../../planner/net.js';
import type { PolicyScope } from '../kind.js';

export function checkPeer(d: DesiredPeer, { policy }: PolicyScope, errors: CfgitopsError[]): void {
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
