/**
 * Semantic comparison of a desired token body with a live token (no false drift: docs/cloudflare-api.md).
 * Policies are a set of (effect, sorted permission-group ids, canonical resources); permission groups inside a
 * policy are a set; `condition.request_ip.in/not_in` are sets of normalised CIDRs (absent ≡ empty; `request.ip`
 * read like `request_ip`); status defaults to `active`; timestamps compare as instants.
 */
import type { CfCondition, CfResources, CfToken, CfTokenBody } from '../cloudflare/types.js';
import { sameInstant } from './instant.js';
import { normalizeCidrSet } from './net.js';
import type { FieldChange } from './plan.js';
import type { PermissionCatalog } from './permission-catalog.js';

interface PolicyLike {
  effect: string;
  permission_groups: readonly { id: string }[];
  resources: CfResources;
}

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
    diff.push({
      path: '/policies',
      before: policiesView(live.policies, catalog),
      after: policiesView(desired.policies, catalog),
    });
  }
  const desiredIp = requestIp(desired.condition);
  const liveIp = requestIp(live.condition);
  for (const key of ['in', 'not_in'] as const) {
    const [rawA, rawB] = [liveIp?.[key], desiredIp?.[key]];
    if (rawA !== undefined && rawB !== undefined && sameList(rawA, rawB)) continue;
    const a = normalizeCidrSet(rawA);
    const b = normalizeCidrSet(rawB);
    if (a.join(',') !== b.join(',')) diff.push({ path: `/condition/request_ip/${key}`, before: a, after: b });
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

/** The fields a create sets, as a diff with only `after`. */
export function tokenCreationDiff(desired: CfTokenBody, catalog: PermissionCatalog): FieldChange[] {
  const diff: FieldChange[] = [
    { path: '/name', after: desired.name },
    { path: '/policies', after: policiesView(desired.policies, catalog) },
    { path: '/status', after: desired.status ?? 'active' },
  ];
  const ip = requestIp(desired.condition);
  for (const key of ['in', 'not_in'] as const) {
    const list = normalizeCidrSet(ip?.[key]);
    if (list.length > 0) diff.push({ path: `/condition/request_ip/${key}`, after: list });
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

/**
 * Resources with keys sorted at every level; a nested account map stays nested (it means something different
 * from the flat form), but key order and map order never matter.
 */
export function canonicalResources(resources: CfResources | undefined): [string, unknown][] {
  return Object.keys(resources ?? {})
    .sort()
    .map((k) => {
      const v = resources![k];
      return [k, typeof v === 'object' && v !== null ? canonicalResources(v) : v];
    });
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

function policiesView(policies: readonly PolicyLike[], catalog: PermissionCatalog): unknown[] {
  return policies
    .map((p) => ({
      effect: p.effect,
      permission_groups: [...new Set(p.permission_groups.map((g) => catalog.label(g.id)))].sort(),
      resources: Object.fromEntries(
        canonicalResources(p.resources).map(([k, v]) => [k, Array.isArray(v) ? Object.fromEntries(v) : v]),
      ),
    }))
    .sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));
}
