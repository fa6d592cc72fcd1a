/**
 * An account's live permission-group catalog, indexed for name → id resolution. Names repeat across scopes
 * ("Logs Read" exists at account and zone scope: docs/cloudflare-api.md), so a name resolves only together
 * with a scope unless it is unique.
 */
import type { CfPermissionGroup } from '../cloudflare/types.js';
import type { ErrorCode } from '../errors.js';
import type { PermissionGroupSelector } from '../manifest/types.js';

export type PermissionGroupResolution =
  { ok: true; id: string; name: string } | { ok: false; code: ErrorCode; message: string; hint: string };

export class PermissionCatalog {
  readonly #byId = new Map<string, CfPermissionGroup>();
  readonly #byName = new Map<string, CfPermissionGroup[]>();
  readonly #byLowerName = new Map<string, string>();
  readonly #labels = new Map<string, string>();
  /** Resolutions of `{id}` selectors, and of `{name, scope?}` ones by name, then scope. */
  readonly #resolvedIds = new Map<string, PermissionGroupResolution>();
  readonly #resolvedNames = new Map<string, Map<string | undefined, PermissionGroupResolution>>();

  constructor(groups: readonly CfPermissionGroup[]) {
    for (const g of groups) {
      this.#byId.set(g.id, g);
      const list = this.#byName.get(g.name);
      if (list) list.push(g);
      else this.#byName.set(g.name, [g]);
      this.#byLowerName.set(g.name.toLowerCase(), g.name);
    }
  }

  get size(): number {
    return this.#byId.size;
  }

  /**
   * Once per distinct selector: a plan resolves every selector of every token, most of them the same few (10,000
   * tokens, ~3 selectors each, against one catalog per account). The result is shared: callers only read it.
   */
  resolve(selector: PermissionGroupSelector): Readonly<PermissionGroupResolution> {
    if ('id' in selector) {
      let found = this.#resolvedIds.get(selector.id);
      if (found === undefined) {
        found = this.#resolve(selector);
        this.#resolvedIds.set(selector.id, found);
      }
      return found;
    }
    let byScope = this.#resolvedNames.get(selector.name);
    if (byScope === undefined) {
      byScope = new Map();
      this.#resolvedNames.set(selector.name, byScope);
    }
    let found = byScope.get(selector.scope);
    if (found === undefined) {
      found = this.#resolve(selector);
      byScope.set(selector.scope, found);
    }
    return found;
  }

  #resolve(selector: PermissionGroupSelector): PermissionGroupResolution {
    if ('id' in selector) {
      const g = this.#byId.get(selector.id);
      if (g) return { ok: true, id: g.id, name: g.name };
      return {
        ok: false,
        code: 'E_PERMISSION_GROUP_UNKNOWN',
        message: `permission group id ${selector.id} is not in the account's catalog`,
        hint: this.size === 0 ? 'the catalog is empty' : 'refer to the group by {name, scope} instead',
      };
    }
    const named = this.#byName.get(selector.name) ?? [];
    const { scope } = selector;
    const matches = scope === undefined ? named : named.filter((g) => g.scopes.includes(scope));
    if (matches.length === 1) return { ok: true, id: matches[0]!.id, name: matches[0]!.name };
    if (matches.length > 1) {
      const scopes = [...new Set(matches.flatMap((g) => g.scopes))].sort();
      return {
        ok: false,
        code: 'E_PERMISSION_GROUP_AMBIGUOUS',
        message: `permission group "${selector.name}" exists at several scopes`,
        hint: `add scope: one of ${scopes.join(', ')}`,
      };
    }
    const where = scope === undefined ? '' : ` at scope ${scope}`;
    return {
      ok: false,
      code: 'E_PERMISSION_GROUP_UNKNOWN',
      message: `no permission group named "${selector.name}"${where}`,
      hint: this.#suggest(selector.name, scope, named),
    };
  }

  /** A readable label for an id in diffs: its name, or the id itself when the catalog does not know it. */
  label(id: string): string {
    // Once per id: a created token's diff labels each of its groups, and the plan keeps every label.
    let label = this.#labels.get(id);
    if (label === undefined) {
      const g = this.#byId.get(id);
      if (!g) return id;
      label = (this.#byName.get(g.name)?.length ?? 0) > 1 ? `${g.name} [${g.scopes.join(', ')}]` : g.name;
      this.#labels.set(id, label);
    }
    return label;
  }

  nameOf(id: string): string | undefined {
    return this.#byId.get(id)?.name;
  }

  #suggest(name: string, scope: string | undefined, sameName: readonly CfPermissionGroup[]): string {
    if (scope !== undefined && sameName.length > 0) {
      const scopes = [...new Set(sameName.flatMap((g) => g.scopes))].sort();
      return `"${name}" exists at scope ${scopes.join(', ')}`;
    }
    const exact = this.#byLowerName.get(name.toLowerCase());
    if (exact !== undefined) return `did you mean "${exact}"?`;
    let best: string | undefined;
    let bestDistance = Math.max(3, Math.floor(name.length / 3)) + 1;
    for (const candidate of this.#byName.keys()) {
      if (Math.abs(candidate.length - name.length) >= bestDistance) continue;
      const d = editDistance(name.toLowerCase(), candidate.toLowerCase(), bestDistance);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best === undefined ? 'see `GET …/tokens/permission_groups` for valid names' : `did you mean "${best}"?`;
  }
}

/** Levenshtein distance, giving up (returning `limit`) once every path exceeds it. */
function editDistance(a: string, b: string, limit: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin >= limit) return limit;
    prev = cur;
  }
  return prev[b.length]!;
}
