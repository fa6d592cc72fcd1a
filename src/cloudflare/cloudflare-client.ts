/**
 * The Cloudflare client: `CloudflareApi` over one HTTP core. Built from options only (no module singletons); the
 * one process-wide thing is the pacer registry, because two clients with the same credential must share a budget.
 */
import { Agent, type Dispatcher } from 'undici';
import type { ResolvedConfig } from '../config/types.js';
import type { Clock, Logger } from '../effects.js';
import { checkBaseUrl } from './base-url.js';
import { credentialFingerprint, describeCredentials, type CloudflareCredentials } from './credentials.js';
import { HttpCore, type ClientTimeouts } from './http-core.js';
import { Pacer, sharedPacer, type PacingOptions } from './pacer.js';
import { permissionGroupsApi } from './permission-groups-api.js';
import type { RetryPolicy } from './retry-policy.js';
import { RetryTally, type RetryCause } from './retry-tally.js';
import { KINDS } from '../kinds/registry.js';
import type { CloudflareApi } from './types.js';

export interface CloudflareClientOptions {
  baseUrl: string | URL;
  credentials: CloudflareCredentials;
  /** Defaults to a keep-alive undici Agent owned (and closed) by the client. */
  dispatcher?: Dispatcher;
  clock: Clock;
  /** What the pacer schedules by: a clock that never steps back (effects.ts `monotonicClock`); default `clock`. */
  pacingClock?: Clock;
  random: () => number;
  log: Logger;
  /** A bucket to use; or options for the process-wide bucket of this credential. */
  pacing: PacingOptions | Pacer;
  retry: RetryPolicy;
  timeouts: ClientTimeouts;
}

export interface CloudflareClient extends CloudflareApi {
  /** e.g. `Cloudflare API at https://api.cloudflare.com/client/v4 (API token)` — never the credential. */
  describe(): string;
  readonly pacer: Pacer;
  /** What this client retried or recovered so far, by cause. */
  retries(): Partial<Record<RetryCause, number>>;
  /** Closes the connection pool if the client created it. */
  close(): Promise<void>;
}

export function createCloudflareClient(options: CloudflareClientOptions): CloudflareClient {
  const baseUrl = checkBaseUrl(options.baseUrl);
  const { timeouts } = options;
  const ownDispatcher =
    options.dispatcher === undefined
      ? new Agent({
          connect: { timeout: timeouts.connectMs },
          headersTimeout: timeouts.headersMs,
          bodyTimeout: timeouts.bodyMs,
          keepAliveTimeout: 30_000,
          connections: 16,
        })
      : undefined;
  const dispatcher = options.dispatcher ?? ownDispatcher!;
  const pacer =
    options.pacing instanceof Pacer
      ? options.pacing
      : sharedPacer(
          `${credentialFingerprint(options.credentials)}@${baseUrl.origin}`,
          options.pacing,
          options.pacingClock ?? options.clock,
        );
  const tally = new RetryTally();
  const core = new HttpCore({
    baseUrl,
    credentials: options.credentials,
    dispatcher,
    clock: options.clock,
    random: options.random,
    log: options.log,
    pacer,
    retry: options.retry,
    timeouts,
    tally,
  });
  const context = {
    core,
    recovery: { clock: options.clock, random: options.random, log: options.log, retry: options.retry, tally },
  };
  const shown = `${baseUrl.origin}${baseUrl.pathname.replace(/\/+$/, '')}`;
  // Each registered kind contributes its slice of the API (src/kinds/<kind>/api.ts).
  const kindApis = Object.assign({}, ...KINDS.map((k) => k.api(context))) as Omit<
    CloudflareApi,
    'listPermissionGroups'
  >;
  return {
    ...kindApis,
    ...permissionGroupsApi(context),
    describe: () => `Cloudflare API at ${shown} (${describeCredentials(options.credentials)})`,
    pacer,
    retries: () => tally.snapshot(),
    close: async () => {
      await ownDispatcher?.close();
    },
  };
}

/** Pacing, retry and timeouts from the `api` section of the config. */
export function clientSettingsFromConfig(api: ResolvedConfig['api']): {
  pacing: PacingOptions;
  retry: RetryPolicy;
  timeouts: ClientTimeouts;
} {
  const ms = api.timeoutSeconds * 1000;
  return {
    pacing: { requests: api.rateLimit.requests, windowSeconds: api.rateLimit.windowSeconds },
    retry: { ...api.retry },
    timeouts: { connectMs: Math.min(ms, 10_000), headersMs: ms, bodyMs: ms },
  };
}
