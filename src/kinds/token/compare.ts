/**
 * Semantic comparison of a desired token body with a live token (no false drift: docs/cloudflare-api.md).
 * Policies are a set of (effect, sorted permission-group ids, canonical resources); permission groups inside a
 * policy are a set; `condition.request_ip.in/not_in` are sets of normalised CIDRs (absent ≡ empty; `request.ip`
 * read like `request_ip`); status defaults to `active`; timestamps compare as instants.
 */
import type { CfCondition, CfResources, CfToken, CfTokenBody } from '../../cloudflare/types.js';
import { sameInstant } from '../../planner/instant.js';
import { normalizeCidrSet } from '../../planner/net.js';
import { policyChanges, policyCreation, setAddition, setChange, type PolicyLike } from '../../planner/diff-policies.js';
import type { FieldChange } from '../../planner/plan.js';
import type { PermissionCatalog } from '../../planner/permission-catalog.js';

export interface CompareTokenOptions {
  /** Skip `/status` (the live status is `expired`/`revoked (exposed)`: handled by roll or replace instead). */
  ignoreStatus?: boolean;
}

export function compareToken(
  desired: CfTokenBody,
  live: CfToken,
  catalog: PermissionCatalog,
  options: CompareTokenOptions = {},
): FieldChange[] {
  const diff: FieldChange[] = [];
  if (desired.name !== live.name) diff.push({ path: '/name', before: live.name, after: desired.name });
  if (!samePolicies(desired.policies, live.policies)) {
    diff.push(...policyChanges(desired.policies, live.policies, catalog));
  }
  const desiredIp = requestIp(desired.condition);
  const liveIp = requestIp(live.condition);
  for (const key of ['in', 'not_in'] as const) {
    const [rawA, rawB] = [liveIp?.[key], desiredIp?.[key]];
    if (rawA !== undefined && rawB !== undefined && sameList(rawA, rawB)) continue;
    diff.push(...setChange(`/condition/request_ip/${key}`, normalizeCidrSet(rawA), normalizeCidrSet(rawB)));
  }
  for (const key of ['expires_on', 'not_before'] as const) {
    if (!sameInstant(desired[key], live[key])) diff.push({ path: `/${key}`, before: live[key], after: desired[key] });
  }
  const status = desired.status ?? 'active';
  if (!options.ignoreStatus && status !== live.status) {
    diff.push({ path: '/status', before: live.status, after: status });
  }
  return diff;
}

/** Built once: a template per token made a cons string per created token's diff, which the plan keeps. */
const REQUEST_IP_PATH = { in: '/condition/request_ip/in', not_in: '/condition/request_ip/not_in' } as const;

/** The fields a create sets, as a diff with only `after`. */
export function tokenCreationDiff(desired: CfTokenBody, catalog: PermissionCatalog): FieldChange[] {
  const diff: FieldChange[] = [{ path: '/name', after: desired.name }];
  policyCreation(desired.policies, catalog, diff);
  diff.push({ path: '/status', after: desired.status ?? 'active' });
  const ip = requestIp(desired.condition);
  if (ip !== undefined) {
    for (const key of ['in', 'not_in'] as const) {
      setAddition(REQUEST_IP_PATH[key], normalizeCidrSet(ip[key]), diff);
    }
  }
  for (const key of ['expires_on', 'not_before'] as const) {
    if (desired[key] !== undefined) diff.push({ path: `/${key}`, after: desired[key] });
  }
  return diff;
}

export function samePolicies(a: readonly PolicyLike[], b: readonly PolicyLike[]): boolean {
  const x = new Set(a.map(policyKey));
  const y = new Set(b.map(policyKey));
  return x.size === y.size && [...x].every((k) => y.has(k));
}

function policyKey(p: PolicyLike): string {
  const ids = [...new Set(p.permission_groups.map((g) => g.id))].sort();
  // Plain concatenation, not JSON: this runs twice per token per plan (10,000-resource plans stay fast).
  return `${p.effect}|${ids.join(',')}|${resourcesKey(p.resources)}`;
}

function resourcesKey(resources: CfResources | undefined): string {
  if (!resources) return '{}';
  const keys = Object.keys(resources).sort();
  let out = '{';
  for (const k of keys) {
    const v = resources[k];
    out += `${JSON.stringify(k)}:${typeof v === 'object' && v !== null ? resourcesKey(v) : JSON.stringify(v)},`;
  }
  return `${out}}`;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function requestIp(condition: CfCondition | undefined): { in?: string[]; not_in?: string[] } | undefined {
  if (!condition) return undefined;
  // Older responses spell it `request.ip` (docs/cloudflare-api.md); the client normalises, but a saved snapshot may not be.
  return (
    condition.request_ip ??
    (condition as Record<string, { in?: string[]; not_in?: string[] } | undefined>)['request.ip']
  );
}
