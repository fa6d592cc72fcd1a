/**
 * Guardrails from the config's `policy` section, checked on the desired state before anything is applied: each
 * kind's `policy` hook (token lifetime, forbidden permission groups, wildcard resources without an IP condition,
 * peer addresses and ports). Every violation is an E_POLICY_VIOLATION positioned at the offending manifest field.
 */
import type { GuardrailPolicy } from '../config/types.js';
import { CfgitopsError } from '../errors.js';
import { kindOf } from '../kinds/registry.js';
import type { DesiredResource } from '../manifest/types.js';
import type { ResolvedToken } from './token-body.js';

export function checkPolicy(
  desired: readonly DesiredResource[],
  resolvedTokens: ReadonlyMap<string, ResolvedToken>,
  policy: GuardrailPolicy,
  now: number,
): CfgitopsError[] {
  const errors: CfgitopsError[] = [];
  const scope = { policy, forbidden: new Set(policy.forbiddenPermissionGroups ?? []), resolvedTokens, now };
  for (const d of desired) kindOf(d.kind).policy?.(d, scope, errors);
  return errors;
}

export function violation(d: DesiredResource, pointer: string, message: string, hint: string): CfgitopsError {
  return new CfgitopsError('E_POLICY_VIOLATION', message, { location: d.locate(pointer), hint });
}
