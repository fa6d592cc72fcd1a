/**
 * Logging: pino, JSON to stderr (pretty on a TTY), with secrets removed twice — by field name (`redact`) and by
 * scrubbing every registered Secret value from the serialized line before it is written.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
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
  pretty?: boolean;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env['CFGITOPS_LOG_LEVEL'] ?? 'info';
  const destination = options.destination ?? process.stderr;
  const pretty = options.pretty ?? (options.destination === undefined && process.stderr.isTTY);
  const base = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: null };
  if (pretty) {
    // pino-pretty as a synchronous in-process stream, then scrubbed like the JSON lines.
    return pino(base, scrubbingStream(prettyStream(destination)));
  }
  return pino(base, scrubbingStream(destination));
}

function prettyStream(destination: Writable): Writable {
  // Imported lazily so that production JSON logging does not load it.
  let buffer: string[] = [];
  let stream: { write(s: string): unknown } | undefined;
  void import('pino-pretty').then((m) => {
    stream = m.default({
      destination: { write: (s: string) => destination.write(s) } as never,
      sync: true,
      colorize: true,
    });
    for (const line of buffer) stream.write(line);
    buffer = [];
  });
  return { write: (s: string) => (stream ? stream.write(s) : buffer.push(s)) };
}

/** A logger that drops everything (tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
