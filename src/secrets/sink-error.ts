/**
 * The error every sink failure becomes: it names the sink and key (so the executor can say which delivery failed and
 * mark the token undelivered) and never the value.
 */
import { CfgitopsError, type ErrorCode } from '../errors.js';
import { secretScrubber } from '../secret.js';

export class SinkError extends CfgitopsError {
  override readonly name: string = 'SinkError';
  /** Sink name from config. */
  readonly sink: string;
  /** Key the value was to be stored under, if the failure concerns one. */
  readonly key: string | undefined;
  /** The sink's `describe(ref)`: `exec ./vault.sh (key ci)`. */
  readonly where: string;
  /** Why, without the sink: callers that already name the sink (the undelivered message) use this alone. */
  readonly reason: string;

  /** The message is built here, once: `sink "<name>" (<where>): <reason>`. */
  constructor(
    code: ErrorCode,
    sink: string,
    key: string | undefined,
    where: string,
    reason: string,
    options: { hint?: string | undefined; cause?: unknown } = {},
  ) {
    const scrubbed = secretScrubber.scrub(reason);
    super(code, secretScrubber.scrub(`sink "${sink}" (${where}): ${scrubbed}`), options);
    this.sink = sink;
    this.key = key;
    this.where = where;
    this.reason = scrubbed;
  }
}

/** Text of an unknown failure, scrubbed of every registered secret and of `value` itself. */
export function describeFailure(e: unknown, value?: string): string {
  const raw = e instanceof Error ? e.message : String(e);
  return scrubValue(raw, value);
}

/** Removes `value` (when given) and every registered secret from `text`. */
export function scrubValue(text: string, value?: string): string {
  const without = value !== undefined && value.length > 0 ? text.split(value).join('[redacted]') : text;
  return secretScrubber.scrub(without);
}
