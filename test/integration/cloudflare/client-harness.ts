/**
 * The real client against the emulator for one test: a VirtualClock shared by both (the emulator's rate windows
 * and the client's pacing and backoff run on it; time stands still while a request is in flight), a dispatcher
 * interceptor that validates every request body the client sends against src/contract/openapi.json and
 * records it, and a debug log captured in memory so tests can look for leaked secrets.
 */
import { Agent, type Dispatcher } from 'undici';
import { expect } from 'vitest';
import { createCloudflareClient, type CloudflareClient } from '../../../src/cloudflare/cloudflare-client.js';
import type { ClientTimeouts } from '../../../src/cloudflare/http-core.js';
import { Pacer, type PacingOptions } from '../../../src/cloudflare/pacer.js';
import type { RetryPolicy } from '../../../src/cloudflare/retry-policy.js';
import { VirtualClock } from '../../../src/cloudflare/virtual-clock.js';
import { systemClock } from '../../../src/effects.js';
import type { EmulatorOptions } from '../../../src/emulator/start-emulator.js';
import { createLogger } from '../../../src/log.js';
import { Secret } from '../../../src/secret.js';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';
import { sharedContract } from '../../support/openapi.js';

export interface SentRequest {
  method: string;
  path: string;
  body: unknown;
  /** Contract violations of the body; must stay empty. */
  violations: string[];
}

export interface ClientHarness {
  emulator: TestEmulator;
  account: string;
  clock: VirtualClock;
  client: CloudflareClient;
  pacer: Pacer;
  sent: SentRequest[];
  logs: string[];
  /** Responses as the emulator sent them, with the virtual time they left. */
  responses: { at: number; operationId: string | undefined; status: number }[];
  /** A second client on the same emulator (e.g. with other credentials). */
  otherClient(token: Secret): CloudflareClient;
  /** Every request body matched the contract, and the emulator's responses did too. */
  assertContract(): void;
  close(): Promise<void>;
}

export interface HarnessOptions {
  emulator?: EmulatorOptions;
  pacing?: PacingOptions;
  retry?: Partial<RetryPolicy>;
  timeouts?: Partial<ClientTimeouts>;
}

export async function startClientHarness(options: HarnessOptions = {}): Promise<ClientHarness> {
  const clock = new VirtualClock();
  const responses: ClientHarness['responses'] = [];
  const emulator = await startTestEmulator({
    rateLimit: false,
    seed: 11,
    ...options.emulator,
    // Emulator time is the virtual clock; its injected latency (unused here) would sleep for real.
    clock: { now: () => clock.now(), sleep: (ms, signal) => systemClock.sleep(ms, signal) },
    onResponse: (r) => responses.push({ at: clock.now(), operationId: r.operationId, status: r.status }),
  });
  const sent: SentRequest[] = [];
  const logs: string[] = [];
  const timeouts: ClientTimeouts = { connectMs: 5_000, headersMs: 10_000, bodyMs: 10_000, ...options.timeouts };
  const agent = new Agent({ keepAliveTimeout: 10_000, connect: { timeout: timeouts.connectMs } });
  const dispatcher = agent.compose(recordAndHold(clock, sent));
  const log = createLogger({ level: 'debug', destination: { write: (line: string) => logs.push(line) } });
  const pacer = new Pacer(options.pacing ?? { requests: 100_000, windowSeconds: 1 }, clock);
  const retry: RetryPolicy = { retries: 4, minTimeoutMs: 0, maxTimeoutMs: 0, deadlineSeconds: 3600, ...options.retry };
  const make = (token: Secret): CloudflareClient =>
    createCloudflareClient({
      baseUrl: emulator.baseUrl,
      credentials: { type: 'token', token },
      dispatcher,
      clock,
      random: () => 0.5,
      log,
      pacing: pacer,
      retry,
      timeouts,
    });
  return {
    emulator,
    account: emulator.account,
    clock,
    client: make(new Secret(emulator.apiToken)),
    pacer,
    sent,
    logs,
    responses,
    otherClient: make,
    assertContract() {
      expect(sent.filter((s) => s.violations.length > 0)).toEqual([]);
      emulator.assertNoContractViolations();
    },
    async close() {
      await agent.close();
      await emulator.close();
    },
  };
}

/**
 * An undici interceptor: validates and records the request body, and holds the virtual clock until the exchange
 * ends, so no timer fires "during" a request.
 */
function recordAndHold(clock: VirtualClock, sent: SentRequest[]): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    const raw = typeof opts.body === 'string' ? opts.body : undefined;
    const body: unknown = raw === undefined ? undefined : JSON.parse(raw);
    const ref = `${opts.method} ${opts.path}`;
    sent.push({ method: opts.method, path: opts.path, body, violations: sharedContract().validateRequest(ref, body) });
    const release = clock.hold();
    return dispatch(opts, {
      onRequestStart: (c, ctx) => handler.onRequestStart?.(c, ctx),
      onRequestUpgrade: (c, s, h, sock) => handler.onRequestUpgrade?.(c, s, h, sock),
      onResponseStart: (c, s, h, m) => handler.onResponseStart?.(c, s, h, m),
      onResponseData: (c, chunk) => handler.onResponseData?.(c, chunk),
      onResponseEnd: (c, t) => {
        release();
        handler.onResponseEnd?.(c, t);
      },
      onResponseError: (c, e) => {
        release();
        handler.onResponseError?.(c, e);
      },
    });
  };
}

/** Every secret the emulator has minted or stored, plus its API token. */
export function emulatorSecrets(h: ClientHarness): string[] {
  return [h.emulator.apiToken, ...h.emulator.core.secrets.list()];
}
