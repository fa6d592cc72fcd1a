/**
 * Logging: pino, JSON to stderr (pretty on a TTY), with secrets removed twice — by field name (`redact`) and by
 * scrubbing every registered Secret value from each line before it is written, on the JSON and the pretty path alike.
 */
import { createRequire } from 'node:module';
import { Writable as NodeWritable } from 'node:stream';
import type { DestinationStream, Logger, pino as Pino } from 'pino';
import type PinoPretty from 'pino-pretty';
import { secretScrubber, type SecretScrubber } from './secret.js';

export const REDACT_PATHS = [
  'value',
  'secret',
  'token',
  'apiToken',
  'apiKey',
  'password',
  'authorization',
  '*.value',
  '*.secret',
  '*.token',
  '*.apiToken',
  '*.apiKey',
  '*.password',
  '*.authorization',
  'headers.authorization',
  'headers["x-auth-key"]',
  'req.headers.authorization',
  'req.headers["x-auth-key"]',
];

export interface Writable {
  write(chunk: string): unknown;
}

/** A destination that scrubs secrets out of each line before passing it on. */
export function scrubbingStream(target: Writable, scrubber: SecretScrubber = secretScrubber): DestinationStream {
  return { write: (line: string) => target.write(scrubber.scrub(line)) };
}

export interface LoggerOptions {
  level?: string;
  destination?: Writable;
  /** Human-readable lines (pino-pretty) instead of JSON: for a person at a terminal. */
  pretty?: boolean;
  /** ANSI colours in pretty lines (a terminal without NO_COLOR). */
  color?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env['CFGITOPS_LOG_LEVEL'] ?? 'info';
  const destination = options.destination ?? process.stderr;
  const pretty = options.pretty ?? (options.destination === undefined && process.stderr.isTTY);
  const base = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: null };
  const pino = loadPino();
  if (pretty) return pino(base, prettyStream(destination, options.color ?? false));
  return pino(base, scrubbingStream(destination));
}

// pino-pretty is loaded only on a terminal, synchronously (createRequire: it is CommonJS), so a logger is complete
// when createLogger returns and JSON logging never pays for it. pino itself is loaded by the first logger made, so a
// command that logs nothing (--help, validate) never loads it.
const require = createRequire(import.meta.url);
const loadPino = (): typeof Pino => (require('pino') as { pino: typeof Pino }).pino;

/**
 * pino-pretty used as its README says for in-process use: a stream built with `sync: true` passed as pino's
 * destination. Its destination must be a real Node stream (it is piped, which listens for 'close'); ours scrubs the
 * pretty line — the text a person sees — and hands it to the terminal writer, which keeps it above a progress bar.
 */
function prettyStream(target: Writable, color: boolean): DestinationStream {
  const pretty = require('pino-pretty') as typeof PinoPretty;
  const destination = new NodeWritable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      target.write(secretScrubber.scrub(typeof chunk === 'string' ? chunk : chunk.toString('utf8')));
      callback();
    },
  });
  return pretty({
    destination,
    sync: true,
    colorize: color,
    // Short lines for people: the time of day, the level and the message with its fields on one line.
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
    singleLine: true,
  });
}

/** A logger that drops everything (tests that do not look at logs). */
export function silentLogger(): Logger {
  return loadPino()({ level: 'silent' });
}
