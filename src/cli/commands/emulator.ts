/**
 * `cfgitops emulator`: serves the loopback Cloudflare API emulator until SIGINT/SIGTERM. The first stdout line is
 * the base URL (`http://127.0.0.1:PORT/client/v4`) so scripts can read it; the control API URL goes to stderr.
 */
import { CfgitopsError } from '../../errors.js';
import { API_KEY_FORMAT, EMAIL_FORMAT, TOKEN_FORMAT } from '../../emulator/auth.js';
import type { EmulatorOptions } from '../../emulator/start-emulator.js';

/** What commander hands the action (../grammar/emulator.ts declares the flags). */
export interface EmulatorFlags {
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

const CREDENTIAL_SHAPES: Readonly<Record<string, string>> = {
  'api-token': '20–200 letters, digits, "_" or "-"',
  email: 'an email address (name@domain)',
  'api-key': '20–80 letters or digits',
};

/**
 * A bootstrap credential the emulator's own auth would refuse to read from a header would make every request fail
 * with 400 6003; refuse it up front. The value is not echoed: it may be a real credential pasted by mistake.
 */
function credentialFlag(flag: string, value: string, format: RegExp): string {
  if (format.test(value)) return value;
  throw new CfgitopsError('E_USAGE', `--${flag} is not in the format the emulator accepts`, {
    hint: `use ${CREDENTIAL_SHAPES[flag] ?? 'a well-formed value'}, without quotes or whitespace`,
  });
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
  if (flags.apiToken !== undefined) options.apiToken = credentialFlag('api-token', flags.apiToken, TOKEN_FORMAT);
  if ((flags.email === undefined) !== (flags.apiKey === undefined)) {
    throw new CfgitopsError('E_USAGE', '--email and --api-key go together: give both, or neither', {
      hint: 'the emulator accepts that pair as X-Auth-Email + X-Auth-Key (CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY)',
    });
  }
  if (flags.email !== undefined) options.email = credentialFlag('email', flags.email, EMAIL_FORMAT);
  if (flags.apiKey !== undefined) options.apiKey = credentialFlag('api-key', flags.apiKey, API_KEY_FORMAT);
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

/** Serves until SIGINT or SIGTERM. The emulator (and the API contract it validates against) loads only here. */
export async function emulatorCommand(flags: EmulatorFlags): Promise<number> {
  const options = emulatorOptionsFromFlags(flags);
  const signal = untilSignal();
  const { startEmulator } = await import('../../emulator/start-emulator.js');
  const emulator = await startEmulator(options);
  process.stdout.write(`${emulator.baseUrl}\n`);
  process.stderr.write(`emulator: control API at ${emulator.controlUrl}\n`);
  await signal;
  await emulator.close();
  return 0;
}
