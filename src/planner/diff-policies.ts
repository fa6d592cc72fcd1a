/**
 * Token policies as a reviewer reads them: which permission groups and resources a policy gains or loses, one per
 * line (like `terraform plan`'s nested diffs), never two whole JSON arrays to compare by eye.
 *
 * Policies are a set (Cloudflare keeps no order), so a desired policy is paired with the live one it most likely
 * is: the same policy exactly (no change), else the same effect and resources (its groups changed), else the same
 * effect and groups (its resources changed), else the same effect (both changed). What stays unpaired was added or
 * removed. A change's path names the policy by its index in the manifest (`/policies/1/permission_groups`); a
 * removed policy, which the manifest no longer has, is numbered after the manifest's ones.
 */
import type { CfResources } from '../cloudflare/types.js';
import type { FieldChange } from './plan.js';
import type { PermissionCatalog } from './permission-catalog.js';

export interface PolicyLike {
  effect: string;
  permission_groups: readonly { id: string }[];
  resources: CfResources;
}

interface Indexed {
  policy: PolicyLike;
  groups: string;
  resources: string;
}

/** The changes between a live token's policies and the desired ones; `[]` when they are the same set. */
export function policyChanges(
  desired: readonly PolicyLike[],
  live: readonly PolicyLike[],
  catalog: PermissionCatalog,
): FieldChange[] {
  const want = desired.map(index);
  const have: (Indexed | undefined)[] = live.map(index);
  const pairs = new Map<number, Indexed>();
  const rules: ((a: Indexed, b: Indexed) => boolean)[] = [
    (a, b) => a.groups === b.groups && a.resources === b.resources,
    (a, b) => a.resources === b.resources,
    (a, b) => a.groups === b.groups,
    () => true,
  ];
  for (const rule of rules) {
    want.forEach((w, i) => {
      if (pairs.has(i)) return;
      const j = have.findIndex((h) => h !== undefined && h.policy.effect === w.policy.effect && rule(w, h));
      if (j < 0) return;
      pairs.set(i, have[j]!);
      have[j] = undefined;
    });
  }
  const changes: FieldChange[] = [];
  want.forEach((w, i) => {
    const before = pairs.get(i)?.policy;
    changes.push(...onePolicy(`/policies/${i}`, before, w.policy, catalog));
  });
  let n = want.length;
  for (const h of have) if (h) changes.push(...onePolicy(`/policies/${n++}`, h.policy, undefined, catalog));
  return changes;
}

/**
 * A token's policies as they are created: every group and resource as an addition — what `onePolicy` gives with
 * nothing before, pushed into `into` without its Sets and intermediate arrays (this runs once per created token).
 */
export function policyCreation(
  desired: readonly PolicyLike[],
  catalog: PermissionCatalog,
  into: FieldChange[] = [],
): FieldChange[] {
  for (let i = 0; i < desired.length; i++) {
    const p = desired[i]!;
    const paths = policyPaths(i);
    into.push({ path: paths.effect, after: p.effect });
    const groups = p.permission_groups;
    const labels: string[] = [];
    for (let j = 0; j < groups.length; j++) labels.push(catalog.label(groups[j]!.id));
    setAddition(paths.permission_groups, labels, into);
    setAddition(paths.resources, resourceItems(p.resources), into);
  }
  return into;
}

const POLICY_PATHS: { effect: string; permission_groups: string; resources: string }[] = [];

/**
 * Policy `i`'s paths, built once per index and shared by every plan's diffs: built per token they were three cons
 * strings per policy, which the plan keeps (42,000 over 10,000 resources).
 */
function policyPaths(i: number): { effect: string; permission_groups: string; resources: string } {
  let paths = POLICY_PATHS[i];
  if (paths === undefined) {
    const base = `/policies/${i}`;
    paths = {
      effect: `${base}/effect`,
      permission_groups: `${base}/permission_groups`,
      resources: `${base}/resources`,
    };
    if (i < 64) POLICY_PATHS[i] = paths;
  }
  return paths;
}

/** `setChange(path, [], after)` pushed into `into`: the members, deduplicated and sorted, as added. */
export function setAddition(path: string, after: string[], into: FieldChange[]): void {
  if (after.length === 0) return;
  // Exact-size arrays (a plan keeps them): `after` was grown by push, which leaves room for 17 members.
  const added = after.length === 1 ? [after[0]!] : sortedMembers(after);
  into.push({ path, added });
}

/**
 * `[...new Set(items)].sort()`. A policy has a few groups and resources: for those an insertion sort into one array
 * (`<` is the default sort's order on strings), without the Set, the spread and sort's scratch arrays — 14 MB of
 * garbage over 10,000 created tokens, which the scavenger paid for.
 */
export function sortedMembers(items: readonly string[]): string[] {
  if (items.length > 16) return [...new Set(items)].sort();
  const out: string[] = [];
  for (const x of items) {
    let i = out.length;
    while (i > 0 && out[i - 1]! > x) i--;
    if (i > 0 && out[i - 1] === x) continue;
    out.push(x);
    for (let k = out.length - 1; k > i; k--) out[k] = out[k - 1]!;
    out[i] = x;
  }
  return out.slice();
}

/** The fields a diff touches, for a one-line reason: `/policies/1/resources` counts as `/policies`. */
export function changedFields(diff: readonly FieldChange[]): string {
  return [...new Set(diff.map((c) => (c.path.startsWith('/policies/') ? '/policies' : c.path)))].join(', ');
}

/** A set-valued field as the members added and removed (sorted), or nothing when it is the same set. */
export function setChange(path: string, before: readonly string[], after: readonly string[]): FieldChange[] {
  const was = new Set(before);
  const is = new Set(after);
  const added = [...is].filter((x) => !was.has(x)).sort();
  const removed = [...was].filter((x) => !is.has(x)).sort();
  if (added.length === 0 && removed.length === 0) return [];
  return [{ path, ...(added.length > 0 ? { added } : {}), ...(removed.length > 0 ? { removed } : {}) }];
}

function onePolicy(
  base: string,
  before: PolicyLike | undefined,
  after: PolicyLike | undefined,
  catalog: PermissionCatalog,
): FieldChange[] {
  const changes: FieldChange[] = [];
  if (before?.effect !== after?.effect) {
    changes.push({
      path: `${base}/effect`,
      ...(before ? { before: before.effect } : {}),
      ...(after ? { after: after.effect } : {}),
    });
  }
  const labels = (p: PolicyLike | undefined) => (p ? p.permission_groups.map((g) => catalog.label(g.id)) : []);
  changes.push(...setChange(`${base}/permission_groups`, labels(before), labels(after)));
  changes.push(...setChange(`${base}/resources`, resourceItems(before?.resources), resourceItems(after?.resources)));
  return changes;
}

/**
 * One line per granted resource: `com.cloudflare.api.account.zone.<id>: *`, and a nested account map as
 * `com.cloudflare.api.account.<id> → com.cloudflare.api.account.zone.*: *` (each zone its own line).
 */
export function resourceItems(resources: CfResources | undefined): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(resources ?? {})) {
    if (typeof value === 'object' && value !== null) {
      // join: one flat string, not the chain of cons strings a template literal makes (the plan keeps them).
      for (const [inner, v] of Object.entries(value)) out.push([key, ' → ', inner, ': ', v].join(''));
    } else {
      out.push([key, ': ', value].join(''));
    }
  }
  return out;
}

function index(policy: PolicyLike): Indexed {
  return {
    policy,
    groups: [...new Set(policy.permission_groups.map((g) => g.id))].sort().join(','),
    resources: resourceItems(policy.resources).sort().join('\n'),
  };
}
