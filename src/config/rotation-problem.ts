/**
 * The one consistency rule of a rotation policy, shared by the Config default and each token's merged policy: the
 * grace must end before the next rotation is due, so a token never has more than one predecessor alive.
 */
import { formatDuration, parseDurationText } from '../duration.js';
import type { RotationPolicy } from './types.js';

export function rotationPolicyProblem(policy: RotationPolicy): string | undefined {
  if (policy.strategy !== 'overlap' || policy.every === undefined) return undefined;
  const every = parseDurationText(policy.every);
  const grace = parseDurationText(policy.grace);
  if (every === undefined || grace === undefined || grace < every) return undefined;
  return `rotation grace ${formatDuration(grace)} is not shorter than rotation every ${formatDuration(every)}`;
}
