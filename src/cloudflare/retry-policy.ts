/**
 * When a failed request may be sent again, and how long to wait first.
 *
 * GET / PUT / DELETE are repeatable: they are retried on 408, 409, 429, 5xx and network failures (what the official
 * SDK retries; docs/cloudflare-api.md). Other 4xx are final. A POST (create) is never blindly repeated: a
 * failure after which the server may have created the resource is "ambiguous" and the caller looks it up by name
 * first (see createWithRecovery). A 429 or a connection that never opened is safe to repeat for any method.
 *
 * A roll (`PUT …/tokens/{id}/value`) is not idempotent in effect — every roll invalidates the previous value — but
 * retrying it after an ambiguous failure is still right: if the lost attempt did roll, its value is gone for good
 * (nobody received it), and the old value was already invalidated by it; only a fresh roll yields a usable value.
 */
import { isCloudflareApiError, type HttpMethod } from './api-error.js';

export interface RetryPolicy {
  /** Extra attempts after the first. */
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  /** No retry starts after this long since the first attempt. */
  deadlineSeconds: number;
  factor?: number;
}

export type FailureClass = 'retry' | 'ambiguous' | 'fail';

export function classifyFailure(method: HttpMethod, error: unknown): FailureClass {
  if (!isCloudflareApiError(error)) return 'fail';
  if (error.code === 'E_API_RATE_LIMITED') return 'retry';
  const status = error.status;
  const transient =
    status === undefined
      ? error.code === 'E_API_NETWORK' || error.code === 'E_API_TIMEOUT'
      : status === 408 || status === 409 || status >= 500 || error.code === 'E_API_RESPONSE';
  if (!transient) return 'fail';
  if (!error.mayHaveApplied) return 'retry';
  return method === 'POST' ? 'ambiguous' : 'retry';
}

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so concurrent retries spread out
 * without ever retrying at once. `attempt` is 1 for the wait after the first failure.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const factor = policy.factor ?? 2;
  const step = Math.min(policy.maxTimeoutMs, policy.minTimeoutMs * factor ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}
