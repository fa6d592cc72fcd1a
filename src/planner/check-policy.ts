/**
 * Guardrails from the config's `policy` section, checked on the desired state: each kind's `policy` hook (token
 * lifetime, forbidden permission groups, wildcard resources without an IP condition, peer addresses and ports).
 * Each violation is positioned at the offending manifest field and names its rule; what it counts as (error or
 * warning) is decided by the rule's mode (guardrail-mode.ts), not here.
 *
 * Only one check needs live data: a forbidden group written as a name while the manifest gives an id (or the other
 * way round) matches only through the account's permission-group catalog. `validate` checks the selectors as
 * written (`writtenGroups`); the plan checks the groups they resolved to (`resolvedGroups`), names and ids both.
 */
import type { GuardrailPolicy, GuardrailRule } from '../config/types.js';
import type { SourceLocation } from '../errors.js';
import { kindOf } from '../kinds/registry.js';
import type { DesiredResource, DesiredToken } from '../manifest/types.js';
import { addressKey, type ResourceAddress } from '../resources.js';
import type { ResolvedToken } from './token-body.js';

export interface Violation {
  rule: GuardrailRule;
  address: ResourceAddress;
  message: string;
  location: SourceLocation;
  hint: string;
}

/** A permission group a token's policy grants, as far as it is known: a name, an id, or both. */
export interface GrantedGroup {
  name?: string;
  id?: string;
  /** Index of its selector in the policy's `permission_groups` (the pointer is built only for a violation). */
  selector: number;
}

/** The groups policy `index` of a token grants; undefined when they are unknown (the selectors did not resolve). */
export type GroupsOf = (token: DesiredToken, index: number) => readonly GrantedGroup[] | undefined;

/** At plan time: the groups each selector resolved to against the live catalog. */
export function resolvedGroups(resolvedTokens: ReadonlyMap<string, ResolvedToken>): GroupsOf {
  return (token, index) => resolvedTokens.get(addressKey(token.address))?.permissionGroups[index];
}

/** Offline (`validate`): the selectors as written, `{name}` or `{id}`. */
export const writtenGroups: GroupsOf = (token, index) =>
  token.spec.policies[index]?.permission_groups.map((selector, j) => ({ ...selector, selector: j }));

export function checkPolicy(
  desired: readonly DesiredResource[],
  groupsOf: GroupsOf,
  policy: GuardrailPolicy,
  now: number,
): Violation[] {
  const found: Violation[] = [];
  const scope = { policy, forbidden: new Set(policy.forbiddenPermissionGroups ?? []), groupsOf, now };
  for (const d of desired) kindOf(d.kind).policy?.(d, scope, found);
  return found;
}

export function violation(
  d: DesiredResource,
  rule: GuardrailRule,
  pointer: string,
  message: string,
  hint: string,
): Violation {
  return { rule, address: d.address, message, location: d.locate(pointer), hint };
}
