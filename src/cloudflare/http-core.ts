/**
 * One HTTP exchange with the API, and the retry loop around it. Every request goes through the shared pacer, carries
 * the credential and a User-Agent, has headers/body timeouts, and comes back as a checked envelope or a typed error.
 * Request bodies are built at send time (`body()` is where a Secret is revealed) and never logged.
 */
import type { Dispatcher } from 'undici';
import { CfgitopsError } from '../errors.js';
import type { Clock, Logger } from '../effects.js';
import { VERSION } from '../version.js';
import {
  errorFromTransport,
  invalidResponseError,
  isCloudflareApiError,
  unsendableRequestError,
  type HttpMethod,
} from './api-error.js';
import { authHeaders, type CloudflareCredentials } from './credentials.js';
import { parseEnvelope, type Envelope } from './envelope.js';
import type { Pacer } from './pacer.js';
import { parseRateLimitHeaders, type RateLimitInfo } from './rate-limit-headers.js';
import { backoffDelay, classifyFailure, type RetryPolicy } from './retry-policy.js';
import type { RetryTally } from './retry-tally.js';

export interface ClientTimeouts {
  connectMs: number;
  /** Time to the response headers: a server that hangs is given up on after this. */
  headersMs: number;
  /** Longest silence while the body streams. */
  bodyMs: number;
}

export interface ApiRequest {
  method: HttpMethod;
  /** Template relative to the base URL, e.g. `/accounts/{account_id}/tokens/{token_id}`; errors name the call (`calledPath`). */
  route: string;
  params?: Readonly<Record<string, string>>;
  query?: Readonly<Record<string, string | number | undefined>>;
  /** Builds the JSON body at send time, so revealed secrets live only for the write. */
  body?: () => unknown;
  /** Authenticate as someone else than the client (token verify). */
  credentials?: CloudflareCredentials;
  signal?: AbortSignal | undefined;
}

export interface SendOptions {
  /** After an ambiguous attempt, a 404 means the earlier attempt did the work (deletes). */
  notFoundAfterAmbiguousIsDone?: boolean;
}

export interface HttpCoreOptions {
  baseUrl: URL;
  credentials: CloudflareCredentials;
  dispatcher: Dispatcher;
  clock: Clock;
  random: () => number;
  log: Logger;
  pacer: Pacer;
  retry: RetryPolicy;
  timeouts: ClientTimeouts;
  /** Told about every retry, for the run's summary. */
  tally?: RetryTally;
}

export const USER_AGENT = `cfgitops/${VERSION}`;
/**
 * The header value characters undici accepts. A request it refuses fails with UND_ERR_INVALID_ARG but (undici 7.x)
 * leaves the pool connection it was given marked busy; once every connection is, queued requests never settle and
 * the process exits 13 with nothing said. So such a request is refused here, before undici sees it.
 */
const SENDABLE_HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export class HttpCore {
  readonly #o: HttpCoreOptions;
  readonly #origin: string;
  readonly #basePath: string;

  constructor(options: HttpCoreOptions) {
    this.#o = options;
    this.#origin = options.baseUrl.origin;
    this.#basePath = options.baseUrl.pathname.replace(/\/+$/, '');
  }

  path(req: Pick<ApiRequest, 'route' | 'params' | 'query'>): string {
    const filled = req.route.replace(/\{(\w+)\}/g, (_, name: string) => {
      const v = req.params?.[name];
      if (v === undefined || v === '') throw new CfgitopsError('E_INTERNAL', `route ${req.route} is missing ${name}`);
      return encodeURIComponent(v);
    });
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const q = qs.toString();
    return `${this.#basePath}${filled}${q ? `?${q}` : ''}`;
  }

  /** With retries per the policy. A POST's ambiguous failure is thrown to the caller, which must recover. */
  async send(req: ApiRequest, options: SendOptions = {}): Promise<Envelope> {
    const { clock, retry, random, log } = this.#o;
    const start = clock.now();
    let ambiguousSeen = false;
    const pRetry = await loadPRetry();
    return pRetry(
      async () => {
        try {
          return await this.sendOnce(req);
        } catch (e) {
          if (options.notFoundAfterAmbiguousIsDone && ambiguousSeen && isCloudflareApiError(e) && e.status === 404) {
            return { result: null, resultInfo: undefined };
          }
          throw e;
        }
      },
      {
        retries: retry.retries,
        // Waiting is done below through the injected clock and random, so p-retry itself never sleeps.
        minTimeout: 0,
        maxTimeout: 0,
        randomize: false,
        ...(req.signal ? { signal: req.signal } : {}),
        shouldRetry: async ({ error, attemptNumber }) => {
          if (classifyFailure(req.method, error) !== 'retry' || !isCloudflareApiError(error)) return false;
          ambiguousSeen ||= error.mayHaveApplied;
          // A 429 is waited out by the pacer (it paused everyone); other waits are backoff, or retry-after if longer.
          const limited = error.code === 'E_API_RATE_LIMITED';
          const waitFor = limited
            ? (error.retryAfterMs ?? 0)
            : Math.max(backoffDelay(attemptNumber, retry, random), error.retryAfterMs ?? 0);
          if (clock.now() - start + waitFor > retry.deadlineSeconds * 1000) return false;
          log.debug(
            { method: req.method, route: req.route, attempt: attemptNumber, code: error.code, status: error.status },
            'cloudflare request failed; retrying',
          );
          this.#o.tally?.addFailure(error);
          if (!limited && waitFor > 0) await clock.sleep(waitFor, req.signal);
          return true;
        },
      },
    );
  }

  /** One attempt: pace, send, read, check. Throws CloudflareApiError (or E_ABORTED). */
  async sendOnce(req: ApiRequest): Promise<Envelope> {
    const { dispatcher, pacer, clock, timeouts, log } = this.#o;
    const { method, signal } = req;
    const path = this.path(req);
    // Errors name the real call (`GET /accounts/0123…/tokens`), never the template's `{account_id}`.
    const route = calledPath(req);
    await pacer.acquire(signal);
    let info: RateLimitInfo | undefined;
    let limited = false;
    const started = clock.now();
    try {
      const headers: Record<string, string> = {
        ...authHeaders(req.credentials ?? this.#o.credentials),
        'user-agent': USER_AGENT,
        accept: 'application/json',
      };
      const refused = Object.keys(headers).find((name) => !SENDABLE_HEADER_VALUE.test(headers[name] ?? ''));
      if (refused !== undefined) throw unsendableRequestError(method, route, `invalid ${refused} header`);
      let body: string | undefined;
      if (req.body) {
        body = JSON.stringify(req.body());
        headers['content-type'] = 'application/json';
      }
      let res: Dispatcher.ResponseData;
      let text: string;
      try {
        res = await dispatcher.request({
          origin: this.#origin,
          path,
          method,
          headers,
          ...(body === undefined ? {} : { body }),
          headersTimeout: timeouts.headersMs,
          bodyTimeout: timeouts.bodyMs,
          ...(signal ? { signal } : {}),
        });
        text = await readCapped(res.body, () =>
          invalidResponseError(method, route, res.statusCode, `more than ${MAX_BODY_BYTES} bytes`),
        );
      } catch (e) {
        if (signal?.aborted) throw aborted(method, route, signal.reason);
        if (isCloudflareApiError(e)) throw e;
        throw errorFromTransport(method, route, e);
      }
      info = parseRateLimitHeaders(res.headers, clock.now());
      const env = parseEnvelope({ method, route, status: res.statusCode, body: text, retryAfterMs: info.retryAfterMs });
      log.debug({ method, route, status: res.statusCode, ms: clock.now() - started }, 'cloudflare request');
      if (isCloudflareApiError(env)) {
        limited = env.code === 'E_API_RATE_LIMITED';
        throw env;
      }
      return env;
    } finally {
      pacer.settle(info, limited);
    }
  }
}

/**
 * p-retry on the first request, not at start-up: the kinds' API modules (src/kinds/<kind>/api.ts) sit in the registry
 * that `validate` loads too, and `validate` never sends a request.
 */
let pRetryModule: Promise<typeof import('p-retry').default> | undefined;
function loadPRetry(): Promise<typeof import('p-retry').default> {
  return (pRetryModule ??= import('p-retry').then((m) => m.default));
}

function aborted(method: HttpMethod, route: string, reason: unknown): CfgitopsError {
  return new CfgitopsError('E_ABORTED', `${method} ${route} was interrupted`, { cause: reason });
}

async function readCapped(body: Dispatcher.ResponseData['body'], tooLarge: () => Error): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The call as errors and logs name it: the route with its ids filled in (account, token, peer ids are identifiers,
 * not secrets), without the base path and query. `POST /accounts/0123…/tokens failed with 403` says which account's
 * credential lacks the permission; the template's literal `{account_id}` said nothing.
 */
export function calledPath(req: Pick<ApiRequest, 'route' | 'params'>): string {
  return req.route.replace(/\{(\w+)\}/g, (whole, name: string) => req.params?.[name] ?? whole);
}
