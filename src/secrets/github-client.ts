/**
 * The two GitHub REST calls the Actions-secrets sink needs (GET public key, PUT encrypted secret), with GitHub's
 * rate limits honoured through the injected clock and every failure turned into a message that names the repository,
 * the environment and the permission to grant — never the token.
 */
import type { Clock } from '../effects.js';
import type { FetchLike } from './sink-deps.js';
import { scrubValue } from './sink-error.js';

export interface GitHubTarget {
  /** `owner/repo` */
  repository: string;
  environment?: string | undefined;
}

export interface GitHubClientOptions extends GitHubTarget {
  apiUrl: string;
  /** Name of the env var holding the token, for messages. */
  tokenEnv: string;
  token: string;
  fetch: FetchLike;
  clock: Clock;
  timeoutMs: number;
  /** Give up when a rate-limit wait would end later than this many ms after the first attempt. */
  deadlineMs: number;
  maxAttempts: number;
}

export interface PublicKey {
  key_id: string;
  key: string;
}

/** Thrown for any failure; the sink wraps it with the sink name and key. */
export class GitHubApiError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export class GitHubActionsClient {
  readonly #o: GitHubClientOptions;

  constructor(options: GitHubClientOptions) {
    this.#o = options;
  }

  /** `owner/repo` or `owner/repo environment prod`, for messages. */
  get target(): string {
    return this.#o.environment === undefined
      ? this.#o.repository
      : `${this.#o.repository} environment ${this.#o.environment}`;
  }

  async getPublicKey(): Promise<PublicKey> {
    const res = await this.#request('GET', `${this.#secretsPath()}/public-key`);
    const body: unknown = await res.json().catch(() => undefined);
    if (!isPublicKey(body))
      throw new GitHubApiError(`GitHub answered ${this.target} public-key without {key_id, key}`, res.status);
    return body;
  }

  /** Creates or replaces the secret. Returns `created` (201) or `updated` (204). */
  async putSecret(name: string, encryptedValue: string, keyId: string): Promise<'created' | 'updated'> {
    const res = await this.#request(
      'PUT',
      `${this.#secretsPath()}/${encodeURIComponent(name)}`,
      JSON.stringify({ encrypted_value: encryptedValue, key_id: keyId }),
    );
    await res.body?.cancel();
    return res.status === 201 ? 'created' : 'updated';
  }

  /** Deletes the secret: `removed` (204), or `absent` when GitHub answers 404 (already gone). */
  async deleteSecret(name: string): Promise<'removed' | 'absent'> {
    try {
      const res = await this.#request('DELETE', `${this.#secretsPath()}/${encodeURIComponent(name)}`);
      await res.body?.cancel();
      return 'removed';
    } catch (e) {
      if (e instanceof GitHubApiError && e.status === 404) return 'absent';
      throw e;
    }
  }

  #secretsPath(): string {
    const [owner = '', repo = ''] = this.#o.repository.split('/');
    const base = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
    return this.#o.environment === undefined
      ? `${base}/actions/secrets`
      : `${base}/environments/${encodeURIComponent(this.#o.environment)}/secrets`;
  }

  async #request(method: 'GET' | 'PUT' | 'DELETE', path: string, body?: string): Promise<Response> {
    const started = this.#o.clock.now();
    let backoffMs = 1000;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await this.#o.fetch(this.#o.apiUrl.replace(/\/+$/, '') + path, {
          method,
          headers: {
            accept: 'application/vnd.github+json',
            authorization: `Bearer ${this.#o.token}`,
            'x-github-api-version': '2022-11-28',
            'user-agent': 'cfgitops',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body }),
          signal: AbortSignal.timeout(this.#o.timeoutMs),
        });
      } catch (e) {
        if (attempt >= this.#o.maxAttempts)
          throw new GitHubApiError(`cannot reach GitHub at ${this.#o.apiUrl}: ${networkText(e)}`, undefined);
        await this.#wait(backoffMs, started, undefined);
        backoffMs *= 2;
        continue;
      }
      if (res.ok) return res;
      const waitMs = rateLimitWaitMs(res, this.#o.clock.now());
      const retryable = waitMs !== undefined || res.status >= 500;
      if (!retryable || attempt >= this.#o.maxAttempts) throw await this.#error(method, res);
      await res.body?.cancel();
      await this.#wait(waitMs ?? backoffMs, started, res.status);
      if (waitMs === undefined) backoffMs *= 2;
    }
  }

  async #wait(ms: number, started: number, status: number | undefined): Promise<void> {
    if (this.#o.clock.now() + ms - started > this.#o.deadlineMs) {
      throw new GitHubApiError(
        `GitHub ${waitReason(status)} for ${this.target} lasts past the deadline`,
        status,
        'try again later',
      );
    }
    await this.#o.clock.sleep(ms);
  }

  async #error(method: string, res: Response): Promise<GitHubApiError> {
    const text = await res.text().catch(() => '');
    const detail = githubMessage(text);
    const what = `GitHub ${method} ${this.target} secrets answered ${res.status}${detail ? ` (${detail})` : ''}`;
    const envVar = `$${this.#o.tokenEnv}`;
    const permission =
      this.#o.environment === undefined
        ? 'a fine-grained token with the "Secrets" repository permission (read and write), or a classic token with the repo scope'
        : 'a fine-grained token with the "Environments" repository permission (read and write), or a classic token with the repo scope';
    switch (res.status) {
      case 401:
        return new GitHubApiError(`${what}: the token in ${envVar} was refused`, 401, `set ${envVar} to a valid token`);
      case 403:
        return new GitHubApiError(
          `${what}: the token in ${envVar} may not manage these secrets`,
          403,
          `use ${permission}`,
        );
      case 404:
        return new GitHubApiError(
          `${what}: ${this.target} does not exist or the token in ${envVar} cannot see it`,
          404,
          `check the repository${this.#o.environment === undefined ? '' : ' and environment'} names; use ${permission}`,
        );
      default:
        return new GitHubApiError(what, res.status);
    }
  }
}

/** How long GitHub asks us to wait, if this response is a rate limit (primary or secondary). */
export function rateLimitWaitMs(res: Response, nowMs: number): number | undefined {
  if (res.status !== 403 && res.status !== 429) return undefined;
  const retryAfter = res.headers.get('retry-after');
  if (retryAfter !== null && /^\d+$/.test(retryAfter.trim())) return Number(retryAfter) * 1000;
  const reset = res.headers.get('x-ratelimit-reset');
  if (res.headers.get('x-ratelimit-remaining') === '0' && reset !== null && /^\d+$/.test(reset.trim())) {
    return Math.max(0, Number(reset) * 1000 - nowMs) + 1000;
  }
  // A secondary limit without headers: GitHub says to wait at least a minute.
  return res.status === 429 ? 60_000 : undefined;
}

function waitReason(status: number | undefined): string {
  if (status === undefined) return 'is unreachable';
  return status >= 500 ? `server error (${status})` : `rate limit (${status})`;
}

function githubMessage(text: string): string {
  try {
    const m = (JSON.parse(text) as { message?: unknown }).message;
    return typeof m === 'string' ? scrubValue(m.slice(0, 200)) : '';
  } catch {
    return '';
  }
}

function networkText(e: unknown): string {
  if (e instanceof Error && e.name === 'TimeoutError') return 'timed out';
  const cause = e instanceof Error ? (e.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : e instanceof Error ? scrubValue(e.message) : 'network error';
}

function isPublicKey(v: unknown): v is PublicKey {
  const o = v as Partial<PublicKey> | undefined;
  return typeof o?.key_id === 'string' && typeof o.key === 'string';
}
