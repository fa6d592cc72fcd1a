/**
 * One sticky pull-request comment per manifest directory: found by a hidden marker at the start of its body, then
 * edited in place (PATCH); created (POST) only when no comment carries the marker. So a PR shows the latest plan
 * once, not one comment per push. Two REST calls (list issue comments, paginated; then PATCH or POST), with GitHub's
 * rate-limit answers honoured through the injected clock. The token travels only in the Authorization header.
 */
import type { Clock } from '../effects.js';
import { CfgitopsError } from '../errors.js';
import { rateLimitWaitMs } from '../secrets/github-client.js';
import type { FetchLike } from '../secrets/sink-deps.js';
import { isLoopbackHost } from '../loopback.js';
import type { Secret } from '../secret.js';

export interface PrCommentClientOptions {
  apiUrl: string;
  /** `owner/repo` */
  repository: string;
  token: Secret;
  fetch: FetchLike;
  clock: Clock;
  /** Give up when a rate-limit wait would end later than this after the first attempt. */
  deadlineMs?: number;
  maxAttempts?: number;
  timeoutMs?: number;
}

export interface StickyCommentResult {
  action: 'created' | 'updated';
  id: number;
  url?: string;
}

/** GitHub rejects comment bodies over 65,536 characters. */
export const COMMENT_LIMIT = 65_000;
const PER_PAGE = 100;
const MAX_PAGES = 100;

export function stickyMarker(key: string): string {
  // `--` may not appear inside an HTML comment.
  return `<!-- cfgitops:plan:${key.replace(/-{2,}/g, '-')} -->`;
}

export class PrCommentClient {
  readonly #o: Required<PrCommentClientOptions>;
  readonly #base: string;

  constructor(options: PrCommentClientOptions) {
    this.#o = { deadlineMs: 300_000, maxAttempts: 6, timeoutMs: 30_000, ...options };
    this.#base = checkApiUrl(options.apiUrl);
    if (!/^[\w.-]+\/[\w.-]+$/.test(options.repository)) {
      throw new CfgitopsError('E_GITHUB', `GITHUB_REPOSITORY "${options.repository}" is not owner/repo`);
    }
  }

  /** Creates or updates the one comment whose body starts with `marker`; `body` must not contain it already. */
  async upsert(pr: number, marker: string, body: string): Promise<StickyCommentResult> {
    const text = `${marker}\n${body}`;
    const full = text.length > COMMENT_LIMIT ? `${text.slice(0, COMMENT_LIMIT)}\n\n… (truncated)\n` : text;
    const existing = await this.#findByMarker(pr, marker);
    const repo = `/repos/${this.#o.repository}`;
    const res =
      existing === undefined
        ? await this.#request('POST', `${repo}/issues/${pr}/comments`, { body: full })
        : await this.#request('PATCH', `${repo}/issues/comments/${existing}`, { body: full });
    const answer = (await res.json().catch(() => ({}))) as { id?: unknown; html_url?: unknown };
    const id = typeof answer.id === 'number' ? answer.id : (existing ?? 0);
    return {
      action: existing === undefined ? 'created' : 'updated',
      id,
      ...(typeof answer.html_url === 'string' ? { url: answer.html_url } : {}),
    };
  }

  async #findByMarker(pr: number, marker: string): Promise<number | undefined> {
    let path: string | undefined = `/repos/${this.#o.repository}/issues/${pr}/comments?per_page=${PER_PAGE}&page=1`;
    for (let page = 1; path !== undefined && page <= MAX_PAGES; page++) {
      const res = await this.#request('GET', path);
      const comments: unknown = await res.json().catch(() => undefined);
      if (!Array.isArray(comments)) {
        throw new CfgitopsError('E_GITHUB', `GitHub answered the comment list of PR #${pr} with something else`);
      }
      for (const c of comments as { id?: unknown; body?: unknown }[]) {
        if (typeof c.id === 'number' && typeof c.body === 'string' && c.body.startsWith(marker)) return c.id;
      }
      path =
        nextPage(res.headers.get('link'), this.#base) ??
        (comments.length === PER_PAGE && res.headers.get('link') === null ? pageOf(path, page + 1) : undefined);
    }
    return undefined;
  }

  async #request(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<Response> {
    const started = this.#o.clock.now();
    let backoffMs = 1000;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await this.#o.fetch(this.#base + path, {
          method,
          headers: {
            accept: 'application/vnd.github+json',
            authorization: `Bearer ${this.#o.token.reveal()}`,
            'x-github-api-version': '2022-11-28',
            'user-agent': 'cfgitops',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(this.#o.timeoutMs),
        });
      } catch (e) {
        if (attempt >= this.#o.maxAttempts) {
          throw new CfgitopsError('E_GITHUB', `cannot reach the GitHub API at ${this.#base}`, { cause: e });
        }
        await this.#wait(backoffMs, started, undefined);
        backoffMs *= 2;
        continue;
      }
      if (res.ok) return res;
      const waitMs = rateLimitWaitMs(res, this.#o.clock.now());
      const retryable = waitMs !== undefined || res.status >= 500;
      if (!retryable || attempt >= this.#o.maxAttempts) throw await failure(method, path, res);
      await res.body?.cancel();
      await this.#wait(waitMs ?? backoffMs, started, res.status);
      if (waitMs === undefined) backoffMs *= 2;
    }
  }

  async #wait(ms: number, started: number, status: number | undefined): Promise<void> {
    if (this.#o.clock.now() + ms - started > this.#o.deadlineMs) {
      throw new CfgitopsError(
        'E_GITHUB',
        `the GitHub API ${status === undefined ? 'stayed unreachable' : `kept answering ${status} (rate limited)`} past the deadline`,
        { hint: 'the plan itself succeeded; re-run the job later to post the comment' },
      );
    }
    await this.#o.clock.sleep(ms);
  }
}

function checkApiUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new CfgitopsError('E_GITHUB', `GITHUB_API_URL "${raw}" is not a URL`, { cause });
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return url.href.replace(/\/+$/, '');
  }
  throw new CfgitopsError(
    'E_INSECURE_BASE_URL',
    `refusing GITHUB_API_URL ${url.origin}: the token would travel in clear`,
    {
      hint: 'use https (plain http only to a loopback host)',
    },
  );
}

/** The `rel="next"` URL of a Link header, as a path under the API base (never followed to another host). */
function nextPage(link: string | null, base: string): string | undefined {
  if (link === null) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m?.[1] !== undefined && m[1].startsWith(base)) return m[1].slice(base.length);
  }
  return undefined;
}

function pageOf(path: string, page: number): string {
  return path.replace(/([?&])page=\d+/, `$1page=${page}`);
}

async function failure(method: string, path: string, res: Response): Promise<CfgitopsError> {
  const text = await res.text().catch(() => '');
  let detail = '';
  try {
    const m = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof m === 'string') detail = ` (${m.slice(0, 200)})`;
  } catch {
    // not JSON: the status says enough
  }
  const what = `GitHub ${method} ${path.split('?')[0] ?? path} answered ${res.status}${detail}`;
  const hint =
    res.status === 401
      ? 'GITHUB_TOKEN was refused: pass `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`'
      : res.status === 403 || res.status === 404
        ? 'give the job `permissions: pull-requests: write` (a fork PR gets a read-only token: drop --pr-comment there)'
        : undefined;
  return new CfgitopsError('E_GITHUB', what, hint === undefined ? {} : { hint });
}
