/**
 * The live permission-group catalog. Not paginated; names repeat across scopes, so callers resolve by (name, scope)
 * (docs/cloudflare-api.md "Permission groups"). Resolution itself belongs to the planner.
 */
import type { ApiContext } from './api-context.js';
import { decodeResult } from './decode-result.js';
import { arr, parsePermissionGroup } from './parse-resources.js';
import type { CfPermissionGroup, CloudflareApi } from './types.js';

const GROUPS = '/accounts/{account_id}/tokens/permission_groups';

export type PermissionGroupsApi = Pick<CloudflareApi, 'listPermissionGroups'>;

export function permissionGroupsApi({ core }: ApiContext): PermissionGroupsApi {
  async function listPermissionGroups(
    account: string,
    filter?: { name?: string; scope?: string },
    signal?: AbortSignal,
  ): Promise<CfPermissionGroup[]> {
    const req = {
      method: 'GET',
      route: GROUPS,
      params: { account_id: account },
      query: { name: filter?.name, scope: filter?.scope },
      signal,
    } as const;
    return decodeResult(req, await core.send(req), (v) => arr(v, 'result').map(parsePermissionGroup));
  }
  return { listPermissionGroups };
}
