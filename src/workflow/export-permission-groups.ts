/**
 * Permission groups in exported tokens are written by name, as people read them. Names repeat across scopes in the
 * live catalog ("Logs Read" exists at account and zone scope: docs/cloudflare-api.md), so `scope` is added
 * exactly where the name alone would be ambiguous — choosing a scope that picks out this one group — and a group the
 * catalog does not know, or cannot tell apart by name and scope, is written by id.
 */
import type { CfPermissionGroup } from '../cloudflare/types.js';
import { SCOPE_SHORTHANDS } from '../kinds/token/schema.js';

export type PermissionGroupRef = { name: string; scope?: string } | { id: string };
export type PermissionGroupNamer = (id: string) => PermissionGroupRef;

const SHORTHAND_OF = new Map<string, string>(Object.entries(SCOPE_SHORTHANDS).map(([short, full]) => [full, short]));

export function permissionGroupNamer(catalog: readonly CfPermissionGroup[]): PermissionGroupNamer {
  const byId = new Map<string, CfPermissionGroup>();
  const byName = new Map<string, CfPermissionGroup[]>();
  for (const g of catalog) {
    byId.set(g.id, g);
    const same = byName.get(g.name);
    if (same) same.push(g);
    else byName.set(g.name, [g]);
  }
  return (id) => {
    const group = byId.get(id);
    if (!group) return { id };
    const same = byName.get(group.name) ?? [];
    if (same.length === 1) return { name: group.name };
    // The loader resolves {name, scope} to the one group of that name listing that scope.
    for (const scope of [...group.scopes].sort()) {
      const short = SHORTHAND_OF.get(scope);
      if (short === undefined) continue;
      if (same.filter((g) => g.scopes.includes(scope)).length === 1) return { name: group.name, scope: short };
    }
    return { id };
  };
}
