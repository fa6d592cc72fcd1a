/**
 * `cfgitops controller`: continuous reconciliation (src/controller/). Runs until SIGTERM or SIGINT, then finishes
 * the steps in flight, releases the state lock and leadership, and exits 0. Prints the URL it serves on first.
 */
import { Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { createApp, type App } from '../../app.js';
import { baseUrlFromEnv } from '../../cloudflare/base-url.js';
import { runController } from '../../controller/controller.js';
import { createLeadership } from '../../controller/create-leadership.js';
import { CONTROLLER_MODES, type ControllerMode } from '../../controller/cycle-report.js';
import { systemGit, type GitCredentials } from '../../controller/git-runner.js';
import { directorySource, gitSource, type ManifestSource } from '../../controller/manifest-source.js';
import { CfgitopsError } from '../../errors.js';
import { Secret } from '../../secret.js';
import { handleInterrupts } from '../interrupt.js';
import { DEFAULT_DIR, emulatorOption, lockTimeoutOption, lockTimeoutSeconds, parseDuration } from '../options.js';
import type { CommandRegistrar } from '../registrar.js';

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

export const registerController: CommandRegistrar = (program, setExitCode, environment) => {
  program
    .command('controller')
    .description('reconcile continuously: on an interval, when the commit changes, on a push webhook or on demand')
    .option('--source <dir>', `a local manifest directory (default: ${DEFAULT_DIR}, unless --git)`)
    .option('--git <url>', 'a git repository to clone and fetch with the system git')
    .option('--branch <branch>', 'the branch to follow (with --git)', 'main')
    .option('--path <path>', 'the manifest directory inside the repository (with --git)', '.')
    .option(
      '--checkout-dir <dir>',
      'where the controller keeps its checkout (with --git)',
      join('.cfgitops', 'controller', 'checkout'),
    )
    .option('--git-token-file <file>', 'a file holding an HTTPS token for --git (read when git asks, never logged)')
    .option('--git-ssh-key <file>', 'a private key file for an SSH --git URL')
    .addOption(
      new Option('--mode <mode>', 'apply: reconcile; plan: report only; drift: observe only')
        .choices(CONTROLLER_MODES)
        .default('apply'),
    )
    .option('--interval <duration>', 'reconcile this often, also when nothing was pushed (repairs drift)', '10m')
    .option('--source-interval <duration>', 'check the source for a new commit this often', '1m')
    .option('--jitter <fraction>', 'spread each wait by ± this fraction', '0.1')
    .option('--retry-backoff <duration>', 'first retry after a failed cycle; doubles per failure', '10s')
    .option('--max-backoff <duration>', 'longest wait between failed cycles (never more than --interval)', '5m')
    .option('--cycle-timeout <duration>', 'a cycle running longer is stopped like SIGTERM stops apply', '30m')
    .option('--failing-threshold <duration>', '/readyz fails once cycles have failed for longer than this', '30m')
    .option(
      '--rotate-after <duration>',
      'metrics: tokens whose rotation policy sets no "every" count as due once their value is this old',
      '30d',
    )
    .option('--leader-retry <duration>', 'how often a standby tries to take over (PostgreSQL state)', '2s')
    .option(
      '--listen <host:port>',
      'where to serve /healthz, /readyz, /metrics, /status and /hooks/github',
      '127.0.0.1:8080',
    )
    .option('--webhook-secret-file <file>', `the GitHub webhook secret (default: $${WEBHOOK_SECRET_ENV})`)
    .addOption(lockTimeoutOption())
    .addOption(emulatorOption())
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const str = (name: string): string | undefined => (typeof opts[name] === 'string' ? opts[name] : undefined);
      const gitUrl = str('git');
      if (gitUrl !== undefined && str('source') !== undefined) {
        throw new CfgitopsError('E_USAGE', '--source and --git are alternatives: give one');
      }
      const path = str('path') ?? '.';
      if (isAbsolute(path) || path.split(/[\\/]/).includes('..')) {
        throw new CfgitopsError('E_USAGE', `--path must stay inside the repository, not "${path}"`);
      }
      const d = (name: string, flag: string): number => parseDuration(str(name) ?? '', flag);
      const timeout = lockTimeoutSeconds(str('lockTimeout'));
      const webhookSecretFile = str('webhookSecretFile');
      const gitCredentials: GitCredentials = {
        ...(str('gitTokenFile') !== undefined ? { tokenFile: str('gitTokenFile')! } : {}),
        ...(str('gitSshKey') !== undefined ? { sshKeyFile: str('gitSshKey')! } : {}),
      };
      const app = createApp(environment);
      setExitCode(
        await runControllerCommand(app, {
          source:
            gitUrl !== undefined
              ? { git: gitUrl, branch: str('branch') ?? 'main', path, checkoutDir: str('checkoutDir')! }
              : { dir: str('source') ?? DEFAULT_DIR },
          git: {
            ...gitCredentials,
            ...(gitCredentials.tokenFile !== undefined ? { tokenFile: app.resolvePath(gitCredentials.tokenFile) } : {}),
            ...(gitCredentials.sshKeyFile !== undefined
              ? { sshKeyFile: app.resolvePath(gitCredentials.sshKeyFile) }
              : {}),
          },
          mode: str('mode') as ControllerMode,
          intervalMs: d('interval', '--interval'),
          sourceIntervalMs: d('sourceInterval', '--source-interval'),
          jitter: parseJitter(str('jitter') ?? '0.1'),
          backoffBaseMs: d('retryBackoff', '--retry-backoff'),
          backoffMaxMs: d('maxBackoff', '--max-backoff'),
          cycleTimeoutMs: d('cycleTimeout', '--cycle-timeout'),
          failingThresholdMs: d('failingThreshold', '--failing-threshold'),
          rotateAfterMs: d('rotateAfter', '--rotate-after'),
          leaderRetryMs: d('leaderRetry', '--leader-retry'),
          listen: parseListen(str('listen') ?? '127.0.0.1:8080'),
          ...(webhookSecretFile !== undefined ? { webhookSecretFile } : {}),
          ...(timeout !== undefined ? { lockTimeoutSeconds: timeout } : {}),
          emulator: opts['emulator'] === true,
        }),
      );
    });
};
