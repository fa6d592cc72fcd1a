/** Secondary DNS TSIG keys (docs/cloudflare-api.md "TSIG keys"): the secret is revealed only into the body. */
import type { ApiContext } from '../../cloudflare/api-context.js';
import { createWithRecovery } from '../../cloudflare/create-with-recovery.js';
import { calledPath } from '../../cloudflare/http-core.js';
import { decodeResult } from '../../cloudflare/decode-result.js';
import { arr, parseTsig } from '../../cloudflare/parse-resources.js';
import type { CfTsig, CfTsigBody, CloudflareApi, CreateOutcome } from '../../cloudflare/types.js';

const TSIGS = '/accounts/{account_id}/secondary_dns/tsigs';
const TSIG = '/accounts/{account_id}/secondary_dns/tsigs/{tsig_id}';

export type TsigsApi = Pick<CloudflareApi, 'listTsigs' | 'createTsig' | 'updateTsig' | 'deleteTsig'>;

function tsigBody(b: CfTsigBody): () => Record<string, string> {
  return () => ({ name: b.name, algo: b.algo, secret: b.secret.reveal() });
}

export function tsigsApi({ core, recovery }: ApiContext): TsigsApi {
  async function listTsigs(account: string, signal?: AbortSignal): Promise<CfTsig[]> {
    const req = { method: 'GET', route: TSIGS, params: { account_id: account }, signal } as const;
    return decodeResult(req, await core.send(req), (v) => arr(v, 'result').map(parseTsig));
  }

  async function createTsig(account: string, body: CfTsigBody, signal?: AbortSignal): Promise<CreateOutcome<CfTsig>> {
    const req = {
      method: 'POST',
      route: TSIGS,
      params: { account_id: account },
      body: tsigBody(body),
      signal,
    } as const;
    return createWithRecovery(recovery, {
      route: calledPath(req),
      name: body.name,
      signal,
      post: async () => decodeResult(req, await core.send(req), parseTsig),
      findByName: async () => (await listTsigs(account, signal)).filter((t) => t.name === body.name),
    });
  }

  async function updateTsig(account: string, id: string, body: CfTsigBody, signal?: AbortSignal): Promise<CfTsig> {
    const req = {
      method: 'PUT',
      route: TSIG,
      params: { account_id: account, tsig_id: id },
      body: tsigBody(body),
      signal,
    } as const;
    return decodeResult(req, await core.send(req), parseTsig);
  }

  async function deleteTsig(account: string, id: string, signal?: AbortSignal): Promise<void> {
    const req = { method: 'DELETE', route: TSIG, params: { account_id: account, tsig_id: id }, signal } as const;
    await core.send(req, { notFoundAfterAmbiguousIsDone: true });
  }

  return { listTsigs, createTsig, updateTsig, deleteTsig };
}
