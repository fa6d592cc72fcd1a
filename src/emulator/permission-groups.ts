/**
 * The permission-group catalog: all 317 groups of ../shared/cloudflare/permission-groups.json, copied into the
 * repo (./permission-groups.json) because the emulator ships with cfgitops; a test keeps the copy equal.
 * Names repeat across scopes ("Logs Read" exists at account and zone scope), exactly as in the real API.
 */
import type { Handler } from './context.js';
import { ok } from './envelope.js';
import catalogJson from './permission-groups.json' with { type: 'json' };
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
