/**
 * Counts what a client had to retry or recover, by cause, so a run's summary can say what the API put it through
 * ("retried 3 × 503, 1 × timeout; 1 create recovered by name"). Causes only: never a body, header or credential.
 */
import { isCloudflareApiError } from './api-error.js';

export type RetryCause =
  | 'rate limited (429)'
  | 'server error (5xx)'
  | 'timeout'
  | 'connection lost'
  | 'unreadable answer'
  | 'other error'
  /** A POST whose answer was lost: looked up by name instead of retried blindly. */
  | 'ambiguous create'
  /** …and the lookup found the create had landed. */
  | 'create recovered by name';

export class RetryTally {
  readonly #counts = new Map<RetryCause, number>();

  add(cause: RetryCause): void {
    this.#counts.set(cause, (this.#counts.get(cause) ?? 0) + 1);
  }

  addFailure(error: unknown): void {
    this.add(retryCauseOf(error));
  }

  snapshot(): Partial<Record<RetryCause, number>> {
    return Object.fromEntries(this.#counts);
  }
}

export function retryCauseOf(error: unknown): RetryCause {
  if (!isCloudflareApiError(error)) return 'other error';
  switch (error.code) {
    case 'E_API_RATE_LIMITED':
      return 'rate limited (429)';
    case 'E_API_TIMEOUT':
      return 'timeout';
    case 'E_API_NETWORK':
      return 'connection lost';
    case 'E_API_RESPONSE':
      return 'unreadable answer';
    default:
      return error.status !== undefined && error.status >= 500 ? 'server error (5xx)' : 'other error';
  }
}
