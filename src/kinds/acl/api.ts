/** Secondary DNS ACLs (docs/cloudflare-api.md "Zone transfers"): list (not paginated), create, full PUT, delete. */
import type { ApiContext } from '../../cloudflare/api-context.js';
import { createWithRecovery } from '../../cloudflare/create-with-recovery.js';
import { decodeResult } from '../../cloudflare/decode-result.js';
import { arr, parseAcl } from '../../cloudflare/parse-resources.js';
import type { CfAcl, CfAclBody, CloudflareApi, CreateOutcome } from '../../cloudflare/types.js';

const ACLS = '/accounts/{account_id}/secondary_dns/acls';
const ACL = '/accounts/{account_id}/secondary_dns/acls/{acl_id}';

export type AclsApi = Pick<CloudflareApi, 'listAcls' | 'createAcl' | 'updateAcl' | 'deleteAcl'>;

export function aclsApi({ core, recovery }: ApiContext): AclsApi {
  async function listAcls(account: string, signal?: AbortSignal): Promise<CfAcl[]> {
    const req = { method: 'GET', route: ACLS, params: { account_id: account }, signal } as const;
    return decodeResult(req, await core.send(req), (v) => arr(v, 'result').map(parseAcl));
  }

  async function createAcl(account: string, body: CfAclBody, signal?: AbortSignal): Promise<CreateOutcome<CfAcl>> {
    const req = {
      method: 'POST',
      route: ACLS,
      params: { account_id: account },
      body: () => ({ name: body.name, ip_range: body.ip_range }),
      signal,
    } as const;
    return createWithRecovery(recovery, {
      route: ACLS,
      name: body.name,
      signal,
      post: async () => decodeResult(req, await core.send(req), parseAcl),
      findByName: async () => (await listAcls(account, signal)).filter((a) => a.name === body.name),
    });
  }

  async function updateAcl(account: string, id: string, body: CfAclBody, signal?: AbortSignal): Promise<CfAcl> {
    const req = {
      method: 'PUT',
      route: ACL,
      params: { account_id: account, acl_id: id },
      // A full replacement: the id goes in the body as well, as the API reference shows.
      body: () => ({ id, name: body.name, ip_range: body.ip_range }),
      signal,
    } as const;
    return decodeResult(req, await core.send(req), parseAcl);
  }

  async function deleteAcl(account: string, id: string, signal?: AbortSignal): Promise<void> {
    const req = { method: 'DELETE', route: ACL, params: { account_id: account, acl_id: id }, signal } as const;
    await core.send(req, { notFoundAfterAmbiguousIsDone: true });
  }

  return { listAcls, createAcl, updateAcl, deleteAcl };
}
