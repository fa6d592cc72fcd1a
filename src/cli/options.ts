/**
 * The CLI's grammar, defined once so names, defaults and help text are the same on every command: the positional
 * `[DIR]`, `--format`, `--github`, `--emulator`, `--lock-timeout`, and the deprecated `--dir`. This file (and the
 * declarations in ./grammar/) imports nothing but commander: `cfgitops --help` loads no command's implementation.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { AppEnvironment } from '../app.js';
import type { GitHubRequest } from '../github/github-flags.js';
import { CfgitopsError } from '../errors.js';

export const DEFAULT_DIR = 'desired-state';

/**
 * The manifest directory, always the last positional argument (`[dir]`), default `desired-state`. Declared without
 * a commander default so `chooseDir` can tell "not given" from "given" (the deprecated `--dir` may fill it).
 */
export function dirArgument(command: Command, what = 'manifest directory'): Command {
  return command.argument('[dir]', `${what} (default: "${DEFAULT_DIR}")`);
}

/**
 * `--dir DIR`, kept working for scripts written before every command took the directory as its last argument.
 * Hidden from help; using it prints one warning line (see `chooseDir`).
 */
export function deprecatedDirOption(): Option {
  return new Option('--dir <dir>', 'deprecated: give the manifest directory as the last argument').hideHelp();
}

/**
 * The directory a command runs on: the positional one, or the deprecated `--dir` (with a one-line warning on
 * stderr). Both, naming different directories, is a usage error rather than a silent choice.
 */
export function chooseDir(
  usage: string,
  positional: string | undefined,
  dirFlag: string | undefined,
  environment: Pick<AppEnvironment, 'stderr'>,
): string {
  if (dirFlag === undefined) return positional ?? DEFAULT_DIR;
  if (positional !== undefined && positional !== dirFlag) {
    throw new CfgitopsError('E_USAGE', `two manifest directories given: "${positional}" and --dir "${dirFlag}"`, {
      hint: `give one, as the last argument: ${usage}`,
    });
  }
  environment.stderr.write(`warning: --dir is deprecated; give the directory as the last argument: ${usage}\n`);
  return dirFlag;
}

/**
 * `rotate a b desired-state`, `state rm X Y desired-state`: after a variadic argument, the last argument is the
 * manifest directory when it names an existing directory (a token name or an address that happens to name one too
 * is still taken as the directory: give the real directory after it, which then comes last).
 */
export function splitTrailingDir(
  args: readonly string[],
  environment: Pick<AppEnvironment, 'cwd'>,
): { rest: string[]; dir?: string } {
  const last = args.at(-1);
  if (last !== undefined && isDirectory(environment, last)) return { rest: args.slice(0, -1), dir: last };
  return { rest: [...args] };
}

export function isDirectory(environment: Pick<AppEnvironment, 'cwd'>, path: string): boolean {
  try {
    return statSync(resolve(environment.cwd, path)).isDirectory();
  } catch {
    return false;
  }
}

/** `--emulator`: the embedded emulator instead of Cloudflare. */
export function emulatorOption(): Option {
  return new Option(
    '--emulator',
    'run against the embedded Cloudflare API emulator (data under .cfgitops/emulator/), not Cloudflare',
  );
}

export function lockTimeoutOption(): Option {
  return new Option('--lock-timeout <duration>', 'wait this long for the state lock (e.g. 30s, 5m; default: config)');
}

export interface PruneFlags {
  prune?: boolean;
  allowMassDelete?: boolean;
}

export function pruneOptions(command: Command): Command {
  return command
    .option('--prune', 'delete resources that are in state but no longer in the manifests')
    .option('--allow-mass-delete', 'allow deleting more than the configured share of managed resources in one run');
}

export const TEXT_JSON = ['text', 'json'] as const;
export type TextOrJson = (typeof TEXT_JSON)[number];

export const PLAN_FORMATS = ['text', 'json', 'markdown'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

/** `--format`: `text` (people, the default everywhere) or `json` (one document on stdout, also on failure). */
export function formatOption(formats: readonly string[], fallback = 'text'): Option {
  return new Option('--format <format>', 'output format').choices(formats).default(fallback);
}

/** The `--github`, `--pr-comment` and `--pr N` flags, the same on every command that reports to GitHub Actions. */
export interface GitHubFlags {
  github?: boolean;
  prComment?: boolean;
  pr?: string;
}

export function githubOptions(command: Command): Command {
  return command
    .option('--github', 'in GitHub Actions: write the report to the step summary and annotate errors')
    .option('--pr-comment', 'with --github: create or update one sticky comment on the pull request (GITHUB_TOKEN)')
    .option('--pr <number>', 'the pull request to comment on (default: from the event payload)');
}

/** The GitHub part of a request: present only with `--github` (never switched on by the environment alone). */
export function githubRequest(flags: GitHubFlags): { github?: GitHubRequest } {
  if (flags.github !== true) return {};
  return { github: { prComment: flags.prComment === true, ...(flags.pr !== undefined ? { pr: flags.pr } : {}) } };
}

export interface LockTimeoutFlags {
  lockTimeout?: string;
}

/** `{ lockTimeoutSeconds }` when `--lock-timeout` was given, else nothing (the config decides). */
export function lockTimeoutRequest(flags: LockTimeoutFlags): { lockTimeoutSeconds?: number } {
  const seconds = lockTimeoutSeconds(flags.lockTimeout);
  return seconds === undefined ? {} : { lockTimeoutSeconds: seconds };
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `5m`, `2h`, `30d`, or a bare number of seconds → milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) {
    throw new CfgitopsError('E_USAGE', `${flag} takes a duration like 30s, 5m, 2h or 30d, not "${text}"`);
  }
  return Math.round(Number(m[1]) * (UNITS[m[2] ?? 's'] ?? 1000));
}

export function lockTimeoutSeconds(value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseDuration(value, '--lock-timeout') / 1000;
}
