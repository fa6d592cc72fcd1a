/**
 * `cfgitops controller`: continuous reconciliation (src/controller/). Runs until SIGTERM or SIGINT, then finishes
 * the steps in flight, releases the state lock and leadership, and exits 0. Prints the URL it serves on first.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { createApp, type App, type AppEnvironment } from '../../app.js';
import { baseUrlFromEnv } from '../../cloudflare/base-url.js';
import { runController } from '../../controller/controller.js';
import { createLeadership } from '../../controller/create-leadership.js';
import type { ControllerMode } from '../../controller/cycle-report.js';
import { systemGit, type GitCredentials } from '../../controller/git-runner.js';
import { directorySource, gitSource, type ManifestSource } from '../../controller/manifest-source.js';
import { CfgitopsError } from '../../errors.js';
import { Secret } from '../../secret.js';
import { handleInterrupts } from '../interrupt.js';
import { DEFAULT_DIR, lockTimeoutRequest, parseDuration } from '../options.js';

export interface ControllerCommandOptions {
  source: { dir: string } | { git: string; branch: string; path: string; checkoutDir: string };
  git: GitCredentials;
  mode: ControllerMode;
  intervalMs: number;
  sourceIntervalMs: number;
  jitter: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  cycleTimeoutMs: number;
  failingThresholdMs: number;
  rotateAfterMs: number;
  leaderRetryMs: number;
  listen: { host: string; port: number };
  webhookSecretFile?: string;
  lockTimeoutSeconds?: number;
  emulator: boolean;
}

export const WEBHOOK_SECRET_ENV = 'CFGITOPS_WEBHOOK_SECRET';

export async function runControllerCommand(app: App, options: ControllerCommandOptions): Promise<number> {
  const git = systemGit({ env: app.env, credentials: options.git, timeoutMs: 120_000 });
  const source: ManifestSource =
    'dir' in options.source
      ? directorySource(app.resolvePath(options.source.dir), git)
      : gitSource(
          {
            url: options.source.git,
            branch: options.source.branch,
            path: options.source.path,
            checkoutDir: app.resolvePath(options.source.checkoutDir),
          },
          git,
        );
  const interrupt = handleInterrupts(app.output, 'steps');
  try {
    await runController(app, {
      source,
      ...('git' in options.source ? { branch: options.source.branch } : {}),
      mode: options.mode,
      emulator: options.emulator,
      intervalMs: options.intervalMs,
      sourceIntervalMs: options.sourceIntervalMs,
      jitter: options.jitter,
      backoffBaseMs: options.backoffBaseMs,
      backoffMaxMs: options.backoffMaxMs,
      cycleTimeoutMs: options.cycleTimeoutMs,
      failingThresholdMs: options.failingThresholdMs,
      rotateAfterMs: options.rotateAfterMs,
      ...(options.lockTimeoutSeconds !== undefined ? { lockTimeoutSeconds: options.lockTimeoutSeconds } : {}),
      listen: options.listen,
      webhookSecret: () => webhookSecret(app, options.webhookSecretFile),
      leadershipFor: (state) =>
        createLeadership(state, {
          env: app.env,
          clock: app.clock,
          random: app.random,
          log: app.log,
          retryMs: options.leaderRetryMs,
        }),
      apiBasePath: options.emulator ? '/client/v4' : baseUrlFromEnv(app.env).pathname.replace(/\/+$/, ''),
      signal: interrupt.signal,
      onListening: (url) => {
        app.output.out(`cfgitops controller serving ${url} (mode ${options.mode}, source ${source.describe})\n`);
      },
    });
    const by = interrupt.interruptedBy();
    if (by !== undefined) app.output.err(`Stopped by ${by}: the lock and leadership are released.\n`);
    return 0;
  } finally {
    interrupt.dispose();
  }
}

/** The file is read on each delivery (a mounted Secret that rotates is picked up); else the environment. */
async function webhookSecret(app: App, file: string | undefined): Promise<string | undefined> {
  let value: string | undefined;
  if (file !== undefined) {
    value = (await readFile(app.resolvePath(file), 'utf8').catch(() => '')).trim();
  } else {
    value = app.env[WEBHOOK_SECRET_ENV]?.trim();
  }
  if (value === undefined || value === '') return undefined;
  new Secret(value);
  return value;
}

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new CfgitopsError(
      'E_USAGE',
      `--listen takes HOST:PORT (e.g. 127.0.0.1:8080, 0.0.0.0:8080, [::]:8080), not "${text}"`,
    );
  }
  return { host: m[1] ?? (m[2] === '' ? '0.0.0.0' : m[2]!), port };
}

function parseJitter(text: string): number {
  const v = Number(text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : text);
  if (!Number.isFinite(v) || v < 0 || v > 0.5) {
    throw new CfgitopsError('E_USAGE', `--jitter takes a fraction between 0 and 0.5 (or 0%-50%), not "${text}"`);
  }
  return v;
}

/** What commander hands the action (see ../grammar/controller.ts for the flags and their defaults). */
export interface ControllerFlags {
  source?: string;
  git?: string;
  branch: string;
  path: string;
  checkoutDir: string;
  gitTokenFile?: string;
  gitSshKey?: string;
  mode: ControllerMode;
  interval: string;
  sourceInterval: string;
  jitter: string;
  retryBackoff: string;
  maxBackoff: string;
  cycleTimeout: string;
  failingThreshold: string;
  rotateAfter: string;
  leaderRetry: string;
  listen: string;
  webhookSecretFile?: string;
  lockTimeout?: string;
  emulator?: boolean;
}

/** Commander's result → the typed request: every flag checked here, once. */
export function controllerRequest(app: App, dir: string | undefined, flags: ControllerFlags): ControllerCommandOptions {
  if (dir !== undefined && flags.source !== undefined && dir !== flags.source) {
    throw new CfgitopsError('E_USAGE', `two manifest directories given: "${dir}" and --source "${flags.source}"`);
  }
  const localDir = dir ?? flags.source;
  if (flags.git !== undefined && localDir !== undefined) {
    throw new CfgitopsError('E_USAGE', 'a local directory (DIR or --source) and --git are alternatives: give one');
  }
  const path = flags.path;
  if (isAbsolute(path) || path.split(/[\\/]/).includes('..')) {
    throw new CfgitopsError('E_USAGE', `--path must stay inside the repository, not "${path}"`);
  }
  const webhookSecretFile = flags.webhookSecretFile;
  return {
    source:
      flags.git !== undefined
        ? { git: flags.git, branch: flags.branch, path, checkoutDir: flags.checkoutDir }
        : { dir: localDir ?? DEFAULT_DIR },
    git: {
      ...(flags.gitTokenFile !== undefined ? { tokenFile: app.resolvePath(flags.gitTokenFile) } : {}),
      ...(flags.gitSshKey !== undefined ? { sshKeyFile: app.resolvePath(flags.gitSshKey) } : {}),
    },
    mode: flags.mode,
    intervalMs: parseDuration(flags.interval, '--interval'),
    sourceIntervalMs: parseDuration(flags.sourceInterval, '--source-interval'),
    jitter: parseJitter(flags.jitter),
    backoffBaseMs: parseDuration(flags.retryBackoff, '--retry-backoff'),
    backoffMaxMs: parseDuration(flags.maxBackoff, '--max-backoff'),
    cycleTimeoutMs: parseDuration(flags.cycleTimeout, '--cycle-timeout'),
    failingThresholdMs: parseDuration(flags.failingThreshold, '--failing-threshold'),
    rotateAfterMs: parseDuration(flags.rotateAfter, '--rotate-after'),
    leaderRetryMs: parseDuration(flags.leaderRetry, '--leader-retry'),
    listen: parseListen(flags.listen),
    ...(webhookSecretFile !== undefined ? { webhookSecretFile } : {}),
    ...lockTimeoutRequest(flags),
    emulator: flags.emulator === true,
  };
}

export async function controllerCommand(
  environment: AppEnvironment,
  dir: string | undefined,
  flags: ControllerFlags,
): Promise<number> {
  const app = createApp(environment);
  return runControllerCommand(app, controllerRequest(app, dir, flags));
}
