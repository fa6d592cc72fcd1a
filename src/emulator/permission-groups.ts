/**
 * The permission-group catalog: all 317 groups of src/contract/permission-groups.json (docs/cloudflare-api.md
 * "permission-groups.json").
 * Names repeat across scopes ("Logs Read" exists at account and zone scope), exactly as in the real API.
 */
import type { Handler } from './context.js';
import { ok } from './envelope.js';
import catalogJson from '../contract/permission-groups.json' with { type: 'json' };
import { shuffledBy } from './random.js';

export interface PermissionGroup {
  id: string;
  name: string;
  scopes: string[];
}

export const PERMISSION_GROUPS: readonly PermissionGroup[] = catalogJson;

export const PERMISSION_GROUPS_BY_ID: ReadonlyMap<string, PermissionGroup> = new Map(
  PERMISSION_GROUPS.map((g) => [g.id, g]),
);

/** `name` and `scope` filter exactly (the client URL-encodes them); the order is per-account, not alphabetical. */
export const listPermissionGroups: Handler = (ctx) => {
  const name = ctx.query.get('name');
  const scope = ctx.query.get('scope');
  const matching = PERMISSION_GROUPS.filter(
    (g) => (name === null || g.name === name) && (scope === null || g.scopes.includes(scope)),
  );
  return ok(shuffledBy(matching, ctx.account));
};
