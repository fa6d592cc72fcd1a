/**
 * Starts the emulator in-process: real HTTP (node:http) on loopback. Used by `cfgitops emulator`, by the main
 * command's embedded default (`--emulator`), and by every integration test.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../effects.js';
import { CfgitopsError } from '../errors.js';
import { isLoopbackHost } from '../loopback.js';
import { BASE_PATH, handleApi, type ApiServerDeps, type FaultEvent, type ResponseRecord } from './api-server.js';
import { SecretLedger, type EmulatorCore } from './context.js';
import { CONTROL_PATH, handleControl, type ControlDeps } from './control-api.js';
import { EmulatorClock } from './emulator-clock.js';
import { FaultInjector, faultRuleProblem, type FaultRule } from './faults.js';
import { loadRouteTable } from './routes.js';
import { cryptoRandom, seededRandom, type Random } from './random.js';
import { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimitSettings } from './rate-limiter.js';
import { RequestCounts } from './request-counts.js';
import { RequestValidator } from './request-validator.js';
import { EmulatorStore } from './store.js';

/** The API token the emulator accepts when none is given (it is a local test tool, not a vault). */
export const DEFAULT_EMULATOR_TOKEN = 'cfgitops-emulator-dev-token-000000000000';

const MAX_BODY_BYTES = 1024 * 1024;

export interface EmulatorOptions {
  /** Create a zone on its first transfer configuration (the embedded emulator: api-server.ts autoZone). */
  autoZones?: boolean;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Binding anything but loopback is refused unless set: the emulator has no real security. */
  allowRemote?: boolean;
  apiToken?: string;
  email?: string;
  apiKey?: string;
  /** JSON file the accounts are kept in across restarts. */
  dataFile?: string;
  /** Partial settings override the defaults (1200 / 300 s, block 300 s); `false` disables rate limiting. */
  rateLimit?: Partial<RateLimitSettings> | false;
  latencyMs?: number;
  faults?: FaultRule[];
  seed?: number;
  random?: Random;
  /** `now()` is the emulator's time (expiry, rate windows); `sleep()` serves injected latency. */
  clock?: Clock;
  /** Sees every answer under /client/v4 (tests validate each against the contract). */
  onResponse?: (record: ResponseRecord) => void;
  /** Told when a fault eats an answer, so tests can wait for it instead of sleeping. */
  onFault?: (event: FaultEvent) => void;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT/client/v4` */
  baseUrl: string;
  /** `http://127.0.0.1:PORT/__emulator` */
  controlUrl: string;
  port: number;
  apiToken: string;
  core: EmulatorCore;
  rateLimiter: RateLimiter;
  faults: FaultInjector;
  counts: RequestCounts;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && options.allowRemote !== true) {
    throw new CfgitopsError('E_USAGE', `refusing to bind the emulator to ${host}`, {
      hint: 'it is a test tool with no real security; pass --allow-remote if you really mean it',
    });
  }
  const clock = options.clock ?? systemClock;
  const random = options.random ?? (options.seed === undefined ? cryptoRandom : seededRandom(options.seed));
  const apiToken = options.apiToken ?? DEFAULT_EMULATOR_TOKEN;
  const rateSettings: RateLimitSettings =
    options.rateLimit === false
      ? { ...DEFAULT_RATE_LIMIT, enabled: false }
      : { ...DEFAULT_RATE_LIMIT, ...options.rateLimit };
  const core: EmulatorCore = {
    store: new EmulatorStore(options.dataFile),
    clock: new EmulatorClock(clock),
    random,
    validator: new RequestValidator(),
    secrets: new SecretLedger(),
  };
  core.secrets.add(apiToken);
  for (const acct of core.store.accounts.values()) for (const t of acct.tsigs.values()) core.secrets.add(t.secret);
  const rateLimiter = new RateLimiter(rateSettings);
  // Rules given in-process are checked like those sent to PUT /__emulator/faults: a typo must not silently match
  // nothing and make a fault test pass without its fault.
  const routes = await loadRouteTable();
  const problem = (options.faults ?? [])
    .map((r, i) => faultRuleProblem(r, i, routes.routes))
    .find((p) => p !== undefined);
  if (problem !== undefined) throw new CfgitopsError('E_USAGE', `emulator fault rules: ${problem}`);
  const faults = new FaultInjector(random, options.faults ?? []);
  faults.baseLatencyMs = options.latencyMs ?? 0;
  const counts = new RequestCounts();
  const hanging = new Set<IncomingMessage>();
  const apiDeps: ApiServerDeps = {
    ...(options.autoZones === true ? { autoZones: true } : {}),
    routes,
    core,
    bootstrap: { apiToken, email: options.email, apiKey: options.apiKey },
    rateLimiter,
    faults,
    counts,
    sleep: (ms, signal) => clock.sleep(ms, signal),
    hanging,
    onResponse: options.onResponse,
    onFault: options.onFault,
  };
  const controlDeps: ControlDeps = {
    routes,
    core,
    rateLimiter,
    faults,
    counts,
    reset: () => {
      core.store.clear();
      core.store.persist();
      core.clock.reset();
      core.secrets.clear();
      core.secrets.add(apiToken);
      counts.clear();
      rateLimiter.configure(rateSettings);
      faults.set(options.faults ?? []);
    },
  };

  const server = createServer({ keepAlive: true }, (req, res) => {
    serve(apiDeps, controlDeps, req, res).catch((e: unknown) => {
      process.stderr.write(`emulator: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closed: Promise<void> | undefined;
  return {
    baseUrl: `${origin}${BASE_PATH}`,
    controlUrl: `${origin}${CONTROL_PATH}`,
    port,
    apiToken,
    core,
    rateLimiter,
    faults,
    counts,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        for (const req of hanging) req.socket.destroy();
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
        core.store.persist();
      })),
  };
}

async function serve(
  api: ApiServerDeps,
  control: ControlDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  const raw = await readBody(req);
  if (raw === undefined) {
    res
      .writeHead(413, { 'content-type': 'application/json' })
      .end('{"success":false,"errors":[{"code":1001,"message":"Request body too large"}],"messages":[],"result":null}');
    return;
  }
  if (url.pathname === CONTROL_PATH || url.pathname.startsWith(`${CONTROL_PATH}/`)) {
    if (!isLoopbackHost(req.socket.remoteAddress ?? '')) {
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":"control API is loopback only"}');
      return;
    }
    let body: unknown;
    try {
      body = raw.trim() === '' ? undefined : JSON.parse(raw);
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"malformed JSON"}');
      return;
    }
    const out = handleControl(control, req.method ?? 'GET', url.pathname, url.searchParams, body);
    res.writeHead(out.status, { 'content-type': 'application/json' }).end(JSON.stringify(out.body));
    return;
  }
  const path = url.pathname.startsWith(`${BASE_PATH}/`) ? url.pathname.slice(BASE_PATH.length) : `//${url.pathname}`;
  await handleApi(api, req, res, path, url.searchParams, raw);
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}
