/**
 * The composition root: the one place that builds real effects (undici via the client, pino, fs, pg, clock,
 * randomness, the embedded emulator). Commands receive an `App` and never construct these themselves, so tests can
 * run any command in-process with their own streams, env and working directory.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { baseUrlFromEnv } from './cloudflare/base-url.js';
import { credentialsFromEnv, hasCredentials } from './cloudflare/credentials.js';
import type { PacedRate } from './cloudflare/pacer.js';
import type { CloudflareApi } from './cloudflare/types.js';
import type { ResolvedConfig, SinkConfig, StateBackendConfig } from './config/types.js';
import { monotonicClock, systemClock, type Clock, type Logger, type Output } from './effects.js';
import { CfgitopsError } from './errors.js';
import { createLogger, type Writable } from './log.js';
import { Secret, secretScrubber } from './secret.js';
import { terminalOutput } from './terminal.js';
import { createSecretSinks } from './secrets/create-secret-sinks.js';
import type { SecretSinks } from './secrets/types.js';
import { createStateStore } from './state/create-state-store.js';
import type { StateStore } from './state/types.js';

export interface AppEnvironment {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  /** Answers to interactive prompts (apply confirmation); absent or not a TTY: never prompt. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  clock?: Clock;
  /** Overrides the log destination (tests capture logs); defaults to stderr. */
  logDestination?: Writable;
}

/** Everything a run talks to: the API, the state store and the secret sinks, chosen together. */
export interface Target {
  api: CloudflareApi;
  state: StateStore;
  sinks: SecretSinks;
  /** One line for humans: where this run's changes go. */
  describe: string;
  /** True when the API is the embedded emulator, not Cloudflare. */
  emulated: boolean;
  /** Config `accounts` (alias → id): plans name accounts by alias. */
  accounts: Readonly<Record<string, string>>;
  /** The client's pacing (config `api.rateLimit`, and its pacer's live schedule): progress estimates use it. */
  rateLimit: PacedRate;
  /** What the API client retried or recovered so far, by cause (for the run's summary). */
  retries?: () => Readonly<Record<string, number>>;
  close(): Promise<void>;
}

export interface TargetOptions {
  /** Use the embedded emulator (`--emulator`). */
  emulator: boolean;
  /** Commands that never write (plan, drift) still build sinks, but only to describe them. */
  operation: string;
}

export interface App {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly output: Output;
  readonly log: Logger;
  readonly clock: Clock;
  /** For spans that must not follow the wall clock back (the rate-limit pacer); the injected clock in tests. */
  readonly pacingClock: Clock;
  readonly stdin: (NodeJS.ReadableStream & { isTTY?: boolean }) | undefined;
  random: () => number;
  newId: () => string;
  /** `user@host`, or the CI run that is acting. */
  owner: () => string;
  resolvePath: (path: string) => string;
  connect(config: ResolvedConfig, options: TargetOptions): Promise<Target>;
  /** State and sinks alone, for commands that need no API (`state`, `force-unlock`, `sinks check`). */
  stores(config: ResolvedConfig, options: { emulator: boolean }): { state: StateStore; sinks: SecretSinks };
  /** A state store for any backend configuration (`state migrate` opens two). */
  openState(backend: StateBackendConfig): StateStore;
}

/** Where the embedded emulator keeps its account, and the state and secrets that go with it. */
export const EMULATOR_DIR = join('.cfgitops', 'emulator');

export function createApp(environment: AppEnvironment): App {
  const clock = environment.clock ?? systemClock;
  const scrub = (s: string): string => secretScrubber.scrub(s);
  const output: Output = terminalOutput({
    stdout: environment.stdout,
    stderr: environment.stderr,
    scrub,
    color: environment.stdout.isTTY === true && !noColor(environment.env),
  });
  const logsToTerminal = environment.logDestination === undefined && environment.stderr.isTTY === true;
  // Made on first use: commands that log nothing (validate, --help) never load pino.
  let log: Logger | undefined;
  const makeLog = (): Logger =>
    createLogger({
      // On a terminal, log lines go through the output so they are written above a progress bar, never into it.
      destination:
        environment.logDestination ??
        (logsToTerminal
          ? {
              write: (s) => {
                output.err(s);
              },
            }
          : environment.stderr),
      pretty: logsToTerminal,
      color: environment.stderr.isTTY === true && !noColor(environment.env),
      // On a terminal the human output already tells each change: logs show warnings and worse unless asked.
      // Elsewhere (CI, containers) every step is logged as JSON for log collectors.
      level: environment.env['CFGITOPS_LOG_LEVEL'] ?? (environment.stderr.isTTY === true ? 'warn' : 'info'),
    });
  const random = (): number => Math.random();
  const resolvePath = (p: string): string => resolve(environment.cwd, p);

  const app: App = {
    env: environment.env,
    cwd: environment.cwd,
    output,
    get log() {
      return (log ??= makeLog());
    },
    clock,
    pacingClock: environment.clock ?? monotonicClock,
    stdin: environment.stdin,
    random,
    newId: () => randomUUID().replaceAll('-', ''),
    owner: () => ownerOf(environment.env),
    resolvePath,
    connect: (config, options) => (options.emulator ? connectEmulator(app, config) : connectCloudflare(app, config)),
    stores: (config, options) => storesFor(app, options.emulator ? emulatorLocalConfig(config) : config),
    openState: (backend) => openStateStore(app, backend),
  };
  return app;
}

/** https://no-color.org: set and not empty means no ANSI colour anywhere. */
export function noColor(env: Readonly<Record<string, string | undefined>>): boolean {
  return (env['NO_COLOR'] ?? '') !== '';
}

function ownerOf(env: Readonly<Record<string, string | undefined>>): string {
  if (env['GITHUB_RUN_ID']) {
    return `github:${env['GITHUB_REPOSITORY'] ?? '?'}/runs/${env['GITHUB_RUN_ID']}`;
  }
  let user = env['USER'] ?? '';
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return `${user}@${hostname()}`;
}

function openStateStore(app: App, backend: StateBackendConfig): StateStore {
  return createStateStore(backend, {
    cwd: app.cwd,
    env: app.env,
    clock: app.clock,
    random: app.random,
    log: app.log,
    owner: app.owner(),
    hostname: hostname(),
    pid: process.pid,
  });
}

function storesFor(app: App, config: ResolvedConfig): { state: StateStore; sinks: SecretSinks } {
  const state = openStateStore(app, config.state);
  const sinks = createSecretSinks(config, { env: app.env, clock: app.clock, log: app.log, cwd: app.cwd });
  return { state, sinks };
}

/** The API client, loaded when a command talks to the API (undici and p-retry come with it). */
function loadClient(): Promise<typeof import('./cloudflare/cloudflare-client.js')> {
  return import('./cloudflare/cloudflare-client.js');
}

async function connectCloudflare(app: App, config: ResolvedConfig): Promise<Target> {
  if (!hasCredentials(app.env)) {
    // Never fall back to the emulator silently: a user with a typo in their CI secret must not "succeed".
    throw new CfgitopsError('E_CREDENTIALS_MISSING', 'no Cloudflare credentials: CLOUDFLARE_API_TOKEN is not set', {
      hint: 'set CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY), or pass --emulator to try cfgitops against the embedded emulator',
    });
  }
  const credentials = credentialsFromEnv(app.env);
  const { createCloudflareClient, clientSettingsFromConfig } = await loadClient();
  const client = createCloudflareClient({
    baseUrl: baseUrlFromEnv(app.env),
    credentials,
    clock: app.clock,
    pacingClock: app.pacingClock,
    random: app.random,
    log: app.log,
    ...clientSettingsFromConfig(config.api),
  });
  const { state, sinks } = storesFor(app, config);
  return {
    api: client,
    state,
    sinks,
    describe: client.describe(),
    emulated: false,
    accounts: config.accounts,
    rateLimit: { ...config.api.rateLimit, scheduleMs: (calls) => client.pacer.scheduleMs(calls) },
    retries: () => client.retries(),
    close: async () => {
      await client.close();
      await state.close();
    },
  };
}

/**
 * The embedded default: an in-process emulator whose account persists under `.cfgitops/emulator/`. State and every
 * sink are redirected there too, so trying cfgitops can never touch real state (a PostgreSQL backend, a GitHub
 * repository's secrets) or mix emulator ids into it.
 */
async function connectEmulator(app: App, config: ResolvedConfig): Promise<Target> {
  const { startEmulator } = await import('./emulator/start-emulator.js');
  const dir = app.resolvePath(EMULATOR_DIR);
  const apiToken = new Secret(`cfgitops-embedded-${randomBytes(24).toString('hex')}`);
  const emulator = await startEmulator({
    dataFile: join(dir, 'api.json'),
    apiToken: apiToken.reveal(),
    autoZones: true,
  });
  const local = emulatorLocalConfig(config);
  const { createCloudflareClient, clientSettingsFromConfig } = await loadClient();
  const client = createCloudflareClient({
    baseUrl: emulator.baseUrl,
    credentials: { type: 'token', token: apiToken },
    clock: app.clock,
    pacingClock: app.pacingClock,
    random: app.random,
    log: app.log,
    ...clientSettingsFromConfig(config.api),
  });
  const { state, sinks } = storesFor(app, local);
  return {
    api: client,
    state,
    sinks,
    describe: `the embedded Cloudflare API emulator (NOT Cloudflare; data in ${EMULATOR_DIR}/)`,
    emulated: true,
    accounts: config.accounts,
    rateLimit: { ...config.api.rateLimit, scheduleMs: (calls) => client.pacer.scheduleMs(calls) },
    retries: () => client.retries(),
    close: async () => {
      await client.close();
      await state.close();
      await emulator.close();
    },
  };
}

/** In emulator mode the state and every sink live under `.cfgitops/emulator/`, whatever the config says. */
function emulatorLocalConfig(config: ResolvedConfig): ResolvedConfig {
  return {
    ...config,
    state: { backend: 'file', path: join(EMULATOR_DIR, 'state.json') },
    sinks: Object.fromEntries(
      Object.keys(config.sinks).map((name): [string, SinkConfig] => [
        name,
        { type: 'file', path: join(EMULATOR_DIR, 'secrets', `${name}.json`), format: 'json' },
      ]),
    ),
  };
}
