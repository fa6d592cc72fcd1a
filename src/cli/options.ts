/**
 * Flags shared by several commands, defined once so names, defaults and help text are the same everywhere.
 */
import { Option, type Command } from 'commander';
import { CfgitopsError } from '../errors.js';

export const DEFAULT_DIR = 'desired-state';

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

export function pruneOptions(command: Command): Command {
  return command
    .option('--prune', 'delete resources that are in state but no longer in the manifests')
    .option('--allow-mass-delete', 'allow deleting more than the configured share of managed resources in one run');
}

export function formatOption(formats: readonly string[], fallback: string): Option {
  return new Option('--format <format>', 'output format').choices(formats).default(fallback);
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
