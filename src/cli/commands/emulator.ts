/**
 * `cfgitops emulator`: serves the loopback Cloudflare API emulator until SIGINT/SIGTERM. The first stdout line is
 * the base URL (`http://127.0.0.1:PORT/client/v4`) so scripts can read it; the control API URL goes to stderr.
 */
import type { Command } from 'commander';
import { CfgitopsError } from '../../errors.js';
import { startEmulator, type EmulatorOptions } from '../../emulator/start-emulator.js';
import type { CommandRegistrar } from '../registrar.js';

interface EmulatorFlags {
  port: string;
  host: string;
  allowRemote?: boolean;
  apiToken?: string;
  email?: string;
  apiKey?: string;
  data?: string;
  rateLimit?: string;
  latency?: string;
  seed?: string;
}

function integer(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new CfgitopsError('E_USAGE', `--${flag} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return n;
}

/** `--rate-limit 1200/300` (requests per seconds) or `off`. */
export function parseRateLimit(value: string): NonNullable<EmulatorOptions['rateLimit']> {
  if (value === 'off') return false;
  const m = /^(\d+)\/(\d+)$/.exec(value);
  if (!m) throw new CfgitopsError('E_USAGE', `--rate-limit must look like 1200/300 (requests/seconds) or off`);
  const quota = integer('rate-limit', m[1]!, 1, 1e9);
  const windowSeconds = integer('rate-limit', m[2]!, 1, 86_400);
  return { quota, windowSeconds, blockSeconds: windowSeconds };
}

export function emulatorOptionsFromFlags(flags: EmulatorFlags): EmulatorOptions {
  const options: EmulatorOptions = { port: integer('port', flags.port, 0, 65_535), host: flags.host };
  if (flags.allowRemote === true) options.allowRemote = true;
  if (flags.apiToken !== undefined) options.apiToken = flags.apiToken;
  if (flags.email !== undefined) options.email = flags.email;
  if (flags.apiKey !== undefined) options.apiKey = flags.apiKey;
  if (flags.data !== undefined) options.dataFile = flags.data;
  if (flags.rateLimit !== undefined) options.rateLimit = parseRateLimit(flags.rateLimit);
  if (flags.latency !== undefined) options.latencyMs = integer('latency', flags.latency, 0, 600_000);
  if (flags.seed !== undefined) options.seed = integer('seed', flags.seed, 0, 2 ** 32 - 1);
  return options;
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export const registerEmulator: CommandRegistrar = (program: Command, setExitCode) => {
  program
    .command('emulator')
    .description('serve the loopback Cloudflare API emulator (prints its base URL first) until SIGINT/SIGTERM')
    .option('--port <n>', 'port to listen on (0 picks a free one)', '0')
    .option('--host <host>', 'address to bind (loopback only unless --allow-remote)', '127.0.0.1')
    .option('--allow-remote', 'allow binding a non-loopback address')
    .option('--api-token <token>', 'API token the emulator accepts (default: the built-in development token)')
    .option('--email <email>', 'X-Auth-Email accepted together with --api-key')
    .option('--api-key <key>', 'X-Auth-Key accepted together with --email')
    .option('--data <file>', 'keep accounts in this JSON file across restarts')
    .option('--rate-limit <n/seconds>', 'requests per window per credential, e.g. 1200/300, or off')
    .option('--latency <ms>', 'added to every request')
    .option('--seed <n>', 'seed for ids, token values and fault dice (deterministic runs)')
    .action(async (flags: EmulatorFlags) => {
      const signal = untilSignal();
      const emulator = await startEmulator(emulatorOptionsFromFlags(flags));
      process.stdout.write(`${emulator.baseUrl}\n`);
      process.stderr.write(`emulator: control API at ${emulator.controlUrl}\n`);
      await signal;
      await emulator.close();
      setExitCode(0);
    });
};
