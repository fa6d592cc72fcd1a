/**
 * `CloudflareApiError` and the one place raw failures (HTTP statuses, Cloudflare error codes, undici error codes)
 * become typed errors. Carries what a caller needs to decide — status, Cloudflare's codes and messages, method, the
 * path called (ids filled in, never the route template), whether the request may have taken effect — and never
 * headers, bodies or secret values.
 */
import { CfgitopsError, type CfgitopsErrorJson, type ErrorCode } from '../errors.js';

/** One entry of the envelope's `errors`: Cloudflare's own words, safe to show. */
export interface CfErrorDetail {
  code: number;
  message: string;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface CloudflareApiErrorOptions {
  status?: number | undefined;
  cfErrors?: readonly CfErrorDetail[];
  method: HttpMethod;
  route: string;
  /** False only when the request certainly had no effect (never sent, or rejected before processing). */
  mayHaveApplied: boolean;
  retryAfterMs?: number | undefined;
  hint?: string | undefined;
  cause?: unknown;
}

export class CloudflareApiError extends CfgitopsError {
  override readonly name: string = 'CloudflareApiError';
  readonly status: number | undefined;
  readonly cfErrors: readonly CfErrorDetail[];
  readonly method: HttpMethod;
  /** The path called, ids filled in (`/accounts/0123…/tokens`; no base path, no query): what the message names. */
  readonly route: string;
  readonly mayHaveApplied: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: CloudflareApiErrorOptions) {
    super(code, message, { hint: options.hint, cause: options.cause });
    this.status = options.status;
    this.cfErrors = options.cfErrors ?? [];
    this.method = options.method;
    this.route = options.route;
    this.mayHaveApplied = options.mayHaveApplied;
    this.retryAfterMs = options.retryAfterMs;
  }

  override toJSON(): CloudflareApiErrorJson {
    return {
      ...super.toJSON(),
      ...(this.status === undefined ? {} : { status: this.status }),
      cfErrors: [...this.cfErrors],
      method: this.method,
      route: this.route,
    };
  }
}

export interface CloudflareApiErrorJson extends CfgitopsErrorJson {
  status?: number;
  cfErrors: CfErrorDetail[];
  method: HttpMethod;
  route: string;
}

export function isCloudflareApiError(e: unknown): e is CloudflareApiError {
  return e instanceof CloudflareApiError;
}

// Cloudflare error codes with a meaning of their own (docs/cloudflare-api.md "Envelope and errors").
const CF_AUTH_ERROR = 10000;
const CF_IP_CONDITION = 9109;
const CF_RATE_LIMITED = 971;
/** "Limit reached" on creation (the 500-token account quota). */
const CF_QUOTA_CODES: ReadonlySet<number> = new Set([1003]);
/** Credential problems that come back as 400: missing (9106), malformed header (6003 with 6111/6102/6103), bad key (9103). */
const CF_AUTH_CODES: ReadonlySet<number> = new Set([
  CF_AUTH_ERROR,
  CF_IP_CONDITION,
  9103,
  9106,
  6003,
  6111,
  6102,
  6103,
]);

export function codeForResponse(status: number, cfCodes: readonly number[]): ErrorCode {
  if (status === 429 || cfCodes.includes(CF_RATE_LIMITED)) return 'E_API_RATE_LIMITED';
  if (status === 401 || status === 403 || cfCodes.some((c) => CF_AUTH_CODES.has(c))) return 'E_API_AUTH';
  if (status === 404) return 'E_API_NOT_FOUND';
  if (cfCodes.some((c) => CF_QUOTA_CODES.has(c))) return 'E_API_QUOTA';
  return 'E_API';
}

const MALFORMED_TOKEN_HINT = 'the credential header is malformed (check CLOUDFLARE_API_TOKEN for quotes or whitespace)';
const MALFORMED_KEY_HINT =
  'the credential header is malformed (check CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY for quotes or whitespace)';

/** Hints by Cloudflare code, most specific first: a 6003 comes with the header-specific code in its error_chain. */
const CF_CODE_HINTS: readonly (readonly [number, string])[] = [
  [CF_IP_CONDITION, "the credential's IP condition (request_ip) does not allow this machine's address"],
  [6111, MALFORMED_TOKEN_HINT],
  [6102, MALFORMED_KEY_HINT],
  [6103, MALFORMED_KEY_HINT],
  [
    6003,
    'the credential header is malformed (check CLOUDFLARE_API_TOKEN, or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY, for quotes or whitespace)',
  ],
  [
    9106,
    'no credential reached Cloudflare: set CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY); a proxy may strip the Authorization header',
  ],
  [
    9103,
    'Cloudflare does not know this email and global API key: check CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY (or use CLOUDFLARE_API_TOKEN)',
  ],
  [
    CF_AUTH_ERROR,
    'check CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY): it is invalid, expired, or lacks the permission (tokens need "Account API Tokens Write", peers and TSIGs "Account Settings Write")',
  ],
];

function hintForResponse(code: ErrorCode, status: number, cfCodes: readonly number[]): string | undefined {
  const byCode = CF_CODE_HINTS.find(([cf]) => cfCodes.includes(cf));
  if (byCode) return byCode[1];
  switch (code) {
    case 'E_API_AUTH':
      return status === 401
        ? 'check CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY): it is invalid or expired'
        : 'the credential lacks a permission this operation needs';
    case 'E_API_NOT_FOUND':
      return 'it was probably deleted outside cfgitops; run plan to refresh';
    case 'E_API_RATE_LIMITED':
      return 'Cloudflare allows 1200 requests per 5 minutes per user, dashboard included; wait and rerun, or lower api.rateLimit';
    case 'E_API_QUOTA':
      return 'an account holds at most 500 account-owned tokens; delete unused ones';
    default:
      return status >= 500 ? 'Cloudflare had a server-side problem; rerun later' : undefined;
  }
}

/** Statuses after which the server may have acted on the request (so a create must be looked up, not repeated). */
function statusMayHaveApplied(status: number): boolean {
  return status >= 500 || status === 408 || status === 409;
}

export function errorFromResponse(
  method: HttpMethod,
  route: string,
  status: number,
  cfErrors: readonly CfErrorDetail[],
  retryAfterMs?: number,
): CloudflareApiError {
  const cfCodes = cfErrors.map((e) => e.code);
  const code = codeForResponse(status, cfCodes);
  const detail =
    cfErrors.length > 0 ? cfErrors.map((e) => `${e.message} (${e.code})`).join('; ') : `HTTP ${status} without details`;
  return new CloudflareApiError(code, `${method} ${route} failed with ${status}: ${detail}`, {
    status,
    cfErrors,
    method,
    route,
    mayHaveApplied: statusMayHaveApplied(status),
    retryAfterMs,
    hint: hintForResponse(code, status, cfCodes),
  });
}

/** undici / Node error codes after which the request was certainly never sent. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

export function transportErrorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * undici / Node error codes for a request that could not even be built (an invalid header value, a closed agent):
 * nothing was sent, and sending the same request again fails the same way, so these are final.
 */
const LOCAL_REQUEST_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_INVALID_ARG',
  'UND_ERR_NOT_SUPPORTED',
  'UND_ERR_CLOSED',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_INVALID_CHAR',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_INVALID_URL',
]);
/** undici's wording for a refused header names only the header (`invalid authorization header`): safe to repeat. */
const HEADER_REFUSAL = /^invalid [a-z0-9-]+ header$/i;

export function errorFromTransport(method: HttpMethod, route: string, err: unknown): CloudflareApiError {
  const raw = transportErrorCode(err) ?? 'unknown';
  if (LOCAL_REQUEST_CODES.has(raw)) {
    const said = err instanceof Error && HEADER_REFUSAL.test(err.message) ? `: ${err.message}` : '';
    return unsendableRequestError(method, route, `${raw}${said}`, err);
  }
  const timeout = TIMEOUT_CODES.has(raw);
  const notSent = NOT_SENT_CODES.has(raw);
  const what = timeout ? 'timed out' : notSent ? 'could not connect' : 'lost the connection';
  return new CloudflareApiError(
    timeout ? 'E_API_TIMEOUT' : 'E_API_NETWORK',
    `${method} ${route} ${what} (${raw})${notSent ? '' : '; the request may or may not have been applied'}`,
    {
      method,
      route,
      mayHaveApplied: !notSent,
      hint: 'check network access to the Cloudflare API (CLOUDFLARE_BASE_URL) and rerun',
      cause: err,
    },
  );
}

/** A request refused before it left the process: final (the same request fails the same way) and never applied. */
export function unsendableRequestError(
  method: HttpMethod,
  route: string,
  why: string,
  cause?: unknown,
): CloudflareApiError {
  return new CloudflareApiError('E_API_REQUEST', `${method} ${route} was not sent (${why})`, {
    method,
    route,
    mayHaveApplied: false,
    hint: 'a credential or CLOUDFLARE_BASE_URL is probably malformed (check CLOUDFLARE_API_TOKEN, or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY, for quotes or whitespace); if they are fine, this is a bug in cfgitops — please report it',
    cause,
  });
}

export function invalidResponseError(
  method: HttpMethod,
  route: string,
  status: number,
  why: string,
): CloudflareApiError {
  return new CloudflareApiError('E_API_RESPONSE', `${method} ${route} answered ${status} with ${why}`, {
    status,
    method,
    route,
    // The server answered 2xx (or an unreadable error): a write may well have happened.
    mayHaveApplied: true,
    hint: 'the API (or a proxy in front of it) sent something cfgitops does not understand; rerun, and report it if it persists',
  });
}
