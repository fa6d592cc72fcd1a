/** Guardrails on a peer (pure): its address inside `policy.peerAllowedCidrs`, its port in `policy.peerAllowedPorts`. */
import type { DesiredPeer } from '../../manifest/types.js';
import { violation, type Violation } from '../../planner/check-policy.js';
import { cidrContains } from '../../planner/net.js';
import type { PolicyScope } from '../kind.js';

export function checkPeer(d: DesiredPeer, { policy }: PolicyScope, found: Violation[]): void {
  const cidrs = policy.peerAllowedCidrs;
  const ip = d.spec.ip;
  if (cidrs && ip !== undefined && !cidrs.some((c) => cidrContains(c, ip))) {
    found.push(
      violation(
        d,
        'peerAllowedCidrs',
        '/spec/ip',
        `peer "${d.spec.name}" address ${ip} is outside the allowed networks`,
        `allowed: ${cidrs.join(', ')} (policy.peerAllowedCidrs)`,
      ),
    );
  }
  const ports = policy.peerAllowedPorts;
  if (ports && !ports.includes(d.spec.port)) {
    found.push(
      violation(
        d,
        'peerAllowedPorts',
        '/spec/port',
        `peer "${d.spec.name}" port ${d.spec.port} is not allowed`,
        `allowed: ${ports.join(', ')} (policy.peerAllowedPorts)`,
      ),
    );
  }
}
