/**
 * Walks every page of a paginated list (`page`, `per_page`, `result_info.total_pages`; docs/cloudflare-api.md).
 * Items are de-duplicated by id: a create or delete between two page reads shifts the pages.
 */
import { invalidResponseError } from './api-error.js';
import { decodeResult } from './decode-result.js';
import { calledPath, type ApiRequest, type HttpCore } from './http-core.js';
import { arr } from './parse-resources.js';

/** The API's maximum page size: fewest calls. */
export const PER_PAGE = 50;
/** 500 tokens per account is the quota; this bound only stops a server that never ends its pages. */
const MAX_PAGES = 1000;

export async function paginateAll<T extends { id: string }>(
  core: HttpCore,
  req: ApiRequest,
  parse: (v: unknown) => T,
): Promise<T[]> {
  const byId = new Map<string, T>();
  for (let page = 1; page <= MAX_PAGES; page++) {
    const env = await core.send({ ...req, query: { ...req.query, page, per_page: PER_PAGE } });
    const items = decodeResult(req, env, (v) => arr(v, 'result').map(parse));
    for (const item of items) if (!byId.has(item.id)) byId.set(item.id, item);
    const totalPages = env.resultInfo?.total_pages;
    const done = totalPages !== undefined ? page >= totalPages : items.length < PER_PAGE;
    if (done || items.length === 0) return [...byId.values()];
  }
  throw invalidResponseError(req.method, calledPath(req), 200, `more than ${MAX_PAGES} pages`);
}
