/**
 * A create (POST) that never makes a duplicate by retrying blindly.
 *
 * When a POST fails in a way that leaves open whether the server created the resource (timeout, connection reset,
 * 5xx after sending), the resource is looked up by its exact name: found → it is returned as `recovered` (for a token
 * that means its value is lost, and the executor rolls it); absent → the POST is tried again. Failures that
 * certainly had no effect (4xx, 429, a connection never opened) are handled by the ordinary retry policy.
 *
 * The limit of this approach: a POST still being processed when the lookup runs looks absent, and the second POST
 * then makes a duplicate. Cloudflare offers no idempotency key for these endpoints, so a lookup is the best there is;
 * the planner's adopt-by-name step (E_ADOPT_AMBIGUOUS) surfaces such a duplicate on the next plan.
 */
import { CfgitopsError } from '../errors.js';
import type { Clock, Logger } from '../effects.js';
import { classifyFailure, backoffDelay, type RetryPolicy } from './retry-policy.js';
import type { RetryTally } from './retry-tally.js';

export interface RecoveryDeps {
  clock: Clock;
  random: () => number;
  log: Logger;
  retry: RetryPolicy;
  tally?: RetryTally;
}

export interface CreateAttempt<T> {
  /** The call's path, ids filled in (`calledPath`), for logs and errors. */
  route: string;
  name: string;
  post: () => Promise<T>;
  /** Lists the live resources and keeps those whose name is exactly `name`. */
  findByName: () => Promise<T[]>;
  signal?: AbortSignal | undefined;
}

export type CreateResult<T> = { resource: T; recovered: false } | { resource: T; recovered: true };

export async function createWithRecovery<T>(deps: RecoveryDeps, attempt: CreateAttempt<T>): Promise<CreateResult<T>> {
  const { clock, random, log, retry } = deps;
  const start = clock.now();
  for (let n = 1; ; n++) {
    try {
      return { resource: await attempt.post(), recovered: false };
    } catch (e) {
      if (classifyFailure('POST', e) !== 'ambiguous') throw e;
      log.warn({ route: attempt.route, attempt: n }, 'create failed ambiguously; looking the resource up by name');
      deps.tally?.add('ambiguous create');
      const found = await attempt.findByName();
      const [only, ...more] = found;
      if (only !== undefined && more.length === 0) {
        log.info({ route: attempt.route }, 'create had landed; recovered the resource by name');
        deps.tally?.add('create recovered by name');
        return { resource: only, recovered: true };
      }
      if (more.length > 0) {
        throw new CfgitopsError(
          'E_API',
          `POST ${attempt.route} failed ambiguously and ${found.length} resources named "${attempt.name}" now exist`,
          {
            hint: 'cfgitops cannot tell which one it created; delete the extra ones in Cloudflare, then run plan',
            cause: e,
          },
        );
      }
      const wait = backoffDelay(n, retry, random);
      if (n > retry.retries || clock.now() - start + wait > retry.deadlineSeconds * 1000) throw e;
      if (wait > 0) await clock.sleep(wait, attempt.signal);
    }
  }
}
