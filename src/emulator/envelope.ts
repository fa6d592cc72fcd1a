/**
 * Cloudflare's response envelope (docs/cloudflare-api.md "Envelope and errors"): every answer under
 * /client/v4 is `{success, errors, messages, result[, result_info]}`; failures carry `result: null`.
 */

export interface CfMessage {
  code: number;
  message: string;
  source?: { pointer: string };
  error_chain?: CfMessage[];
}

export interface ResultInfo {
  page: number;
  per_page: number;
  count: number;
  total_count: number;
  total_pages: number;
}

export interface ApiResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Thrown by handlers; the server turns it into a failure envelope with the same status and codes. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly errors: CfMessage[];
  readonly headers: Record<string, string>;

  constructor(status: number, errors: CfMessage | CfMessage[], headers: Record<string, string> = {}) {
    const list = Array.isArray(errors) ? errors : [errors];
    super(list.map((e) => `${e.code} ${e.message}`).join('; '));
    this.status = status;
    this.errors = list;
    this.headers = headers;
  }
}

export function ok(result: unknown, resultInfo?: ResultInfo): ApiResponse {
  const body: Record<string, unknown> = { success: true, errors: [], messages: [], result };
  if (resultInfo) body.result_info = resultInfo;
  return { status: 200, body };
}

export function failure(error: ApiError): ApiResponse {
  return {
    status: error.status,
    body: { success: false, errors: error.errors, messages: [], result: null },
    headers: error.headers,
  };
}

/**
 * The error codes the emulator answers with. Where the real code is documented (auth, rate limit, routing) it is
 * used; for the rest a plausible code was picked and is listed in ./README.md so clients do not guess.
 */
export const CF_CODES = {
  invalidBody: 1001,
  unknownPermissionGroup: 1002,
  tokenQuota: 1003,
  secondaryDnsNotFound: 1551,
  tsigUnknown: 1553,
  tsigInUse: 1554,
  peerInUse: 1555,
  zoneTypeMismatch: 1556,
  transferExists: 1557,
  tooManyPeers: 1558,
  malformedJson: 6007,
  invalidHeaders: 6003,
  invalidAuthorizationHeader: 6111,
  invalidEmailHeader: 6102,
  invalidKeyHeader: 6103,
  noRoute: 7000,
  methodNotAllowed: 7001,
  objectNotFound: 7003,
  missingAuth: 9106,
  unknownKey: 9103,
  ipRestricted: 9109,
  rateLimited: 971,
  authentication: 10000,
  internal: 10001,
} as const;

export function notFoundObject(path: string): ApiError {
  return new ApiError(404, {
    code: CF_CODES.objectNotFound,
    message: `Could not route to ${path}, perhaps your object identifier is invalid?`,
  });
}

export function invalidBody(message: string, pointer?: string): ApiError {
  return new ApiError(400, {
    code: CF_CODES.invalidBody,
    message,
    ...(pointer === undefined ? {} : { source: { pointer } }),
  });
}
