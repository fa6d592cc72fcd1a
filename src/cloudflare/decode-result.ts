import { invalidResponseError } from './api-error.js';
import type { Envelope } from './envelope.js';
import { calledPath, type ApiRequest } from './http-core.js';
import { ResultShapeError } from './parse-resources.js';

/** Applies a result parser; a result of the wrong shape becomes E_API_RESPONSE naming the call, never the data. */
export function decodeResult<T>(
  req: Pick<ApiRequest, 'method' | 'route' | 'params'>,
  env: Envelope,
  parse: (v: unknown) => T,
): T {
  try {
    return parse(env.result);
  } catch (e) {
    if (e instanceof ResultShapeError)
      throw invalidResponseError(req.method, calledPath(req), 200, `an unexpected result (${e.message})`);
    throw e;
  }
}
