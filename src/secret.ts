/**
 * A secret value (API credential, token value, TSIG secret) that cannot be printed by accident.
 *
 * `toString`, `toJSON`, template literals and `util.inspect` all give `[redacted]`. Only the Cloudflare client
 * (to send it) and the secret sinks (to store it) call `reveal()`. Every Secret is also registered with the
 * process-wide scrubber below, which is the second layer: log and output streams are scrubbed of every known value.
 */

const REDACTED = '[redacted]';
const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    secretScrubber.add(value);
  }

  /** The plain value. Call only where it must leave the process: an HTTP request or a sink write. */
  reveal(): string {
    return this.#value;
  }

  /** Constant-shape comparison without handing the value out. */
  equals(other: Secret | undefined): boolean {
    if (!other) return false;
    const a = this.#value;
    const b = other.#value;
    if (a.length !== b.length) return false;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
    return diff === 0;
  }

  get length(): number {
    return this.#value.length;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspectSymbol](): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
}

/**
 * Replaces every registered secret (and its base64 and URL-encoded forms) in a text with `[redacted]`.
 * Values shorter than 8 characters are not registered: scrubbing them would mangle ordinary output,
 * and no real credential is that short.
 */
export class SecretScrubber {
  readonly #values = new Set<string>();
  #pattern: RegExp | undefined;

  add(value: string): void {
    if (value.length < 8) return;
    const forms = [value, Buffer.from(value, 'utf8').toString('base64'), encodeURIComponent(value)];
    let changed = false;
    for (const f of forms) {
      if (!this.#values.has(f)) {
        this.#values.add(f);
        changed = true;
      }
    }
    if (changed) this.#pattern = undefined;
  }

  get size(): number {
    return this.#values.size;
  }

  scrub(text: string): string {
    if (this.#values.size === 0) return text;
    this.#pattern ??= new RegExp(
      [...this.#values]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'g',
    );
    return text.replace(this.#pattern, REDACTED);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Process-wide: every Secret registers here, and every output stream is scrubbed through it. */
export const secretScrubber = new SecretScrubber();

/** What plans, diffs and state show in place of a secret. */
export const SENSITIVE = '(sensitive)';
