/**
 * The response envelope `{success, errors, messages, result, result_info?}` (docs/cloudflare-api.md),
 * checked at the edge: anything the client relies on is verified here, the rest of the client trusts the shape.
 */
import {
  errorFromResponse,
  invalidResponseError,
  type CfErrorDetail,
  type CloudflareApiError,
  type HttpMethod,
} from './api-error.js';

export interface ResultInfo {
  page?: number;
  per_page?: number;
  count?: number;
  total_count?: number;
  total_pages?: number;
}

export interface Envelope {
  result: unknown;
  resultInfo: ResultInfo | undefined;
}

export interface RawResponse {
  method: HttpMethod;
  route: string;
  status: number;
  /** The body as text; never logged, never put into an error. */
  body: string;
  retryAfterMs?: number | undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `errors`, each followed by its `error_chain`: the chain holds the specific cause (a malformed-header 6003 says which
 * header only there, as 6111/6102/6103), and the hints are chosen by it.
 */
function parseErrors(v: unknown, depth = 0): CfErrorDetail[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: CfErrorDetail[] = [];
  for (const e of v) {
    if (!isRecord(e)) return undefined;
    const code = typeof e['code'] === 'number' ? e['code'] : Number(e['code']);
    const message = typeof e['message'] === 'string' ? e['message'] : '';
    if (!Number.isFinite(code)) return undefined;
    out.push({ code, message: message.slice(0, 500) });
    if (depth < 2 && e['error_chain'] !== undefined) out.push(...(parseErrors(e['error_chain'], depth + 1) ?? []));
  }
  return out;
}

function parseResultInfo(v: unknown): ResultInfo | undefined {
  if (!isRecord(v)) return undefined;
  const info: ResultInfo = {};
  for (const k of ['page', 'per_page', 'count', 'total_count', 'total_pages'] as const) {
    const n = v[k];
    if (typeof n === 'number' && Number.isFinite(n)) info[k] = n;
  }
  return info;
}

/** Returns the envelope of a success, or the typed error a failure (or an unreadable answer) stands for. */
export function parseEnvelope(raw: RawResponse): Envelope | CloudflareApiError {
  const { method, route, status } = raw;
  let json: unknown;
  try {
    json = raw.body === '' ? undefined : JSON.parse(raw.body);
  } catch {
    json = undefined;
  }
  const ok = status >= 200 && status < 300;
  if (!isRecord(json)) {
    // A proxy's HTML error page or an empty 5xx still says enough through its status.
    return ok
      ? invalidResponseError(method, route, status, 'a body that is not a JSON envelope')
      : errorFromResponse(method, route, status, [], raw.retryAfterMs);
  }
  const errors = parseErrors(json['errors']) ?? [];
  if (!ok || json['success'] === false) {
    if (ok)
      return invalidResponseError(method, route, status, `success: false (${errors.map((e) => e.code).join(', ')})`);
    return errorFromResponse(method, route, status, errors, raw.retryAfterMs);
  }
  if (json['success'] !== true) return invalidResponseError(method, route, status, 'an envelope without success: true');
  if (!('result' in json)) return invalidResponseError(method, route, status, 'an envelope without result');
  return { result: json['result'], resultInfo: parseResultInfo(json['result_info']) };
}
