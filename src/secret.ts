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
    secretScrubber.add(value, this);
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
 * The shape of a current Cloudflare account token value (docs/cloudflare-api.md "Value format"): `cfat_`, 40
 * letters and digits, an 8-hex checksum. Recognised by shape, so a value that never passed through a `Secret` (a
 * sink program echoing it, an error body quoting it) is still caught by the scrubber and the tests' leak scan.
 */
export const TOKEN_VALUE_SHAPE = /cfat_[A-Za-z0-9]{40}[0-9a-f]{8}/g;

/** Holders a value's list may reach before its dead ones are first dropped. */
const MIN_HOLDER_PRUNE = 8;

/**
 * Replaces every registered secret (and its base64 and URL-encoded forms) in a text with `[redacted]`, and every
 * `cfat_` token value by its shape, registered or not.
 * Values shorter than 8 characters are not registered: scrubbing them would mangle ordinary output,
 * and no real credential is that short.
 *
 * Bounded for processes that live long (the controller mints and reads values every cycle for months): a value is
 * kept while any Secret holding it is alive (or forever when added without a holder), and of the values whose
 * Secrets are all gone, about the `keepReleased` most recently seen are kept too (for a plain copy still on its way
 * out), oldest dropped first. Keeping every value ever seen made memory, and the cost of scrubbing each log line
 * (one alternation over all of them), grow with every token value a long-running controller minted or read. The
 * bound: live values + keepReleased + max(16, keepReleased / 4).
 */
export class SecretScrubber {
  /** By value, least recently seen first (re-adding moves it to the end). */
  readonly #entries = new Map<string, { holders: WeakRef<object>[]; pinned: boolean; pruneAt: number }>();
  readonly #keepReleased: number;
  /** The pruning scan is amortised: it runs again only after a quarter of `keepReleased` more values. */
  #pruneAbove: number;
  #pattern: RegExp | undefined;

  constructor(options: { keepReleased?: number } = {}) {
    this.#keepReleased = options.keepReleased ?? 1024;
    this.#pruneAbove = this.#keepReleased;
  }

  /** Registers a value; with `holder` (the Secret), only for as long as the holder lives (see the class comment). */
  add(value: string, holder?: object): void {
    if (value.length < 8) return;
    let entry = this.#entries.get(value);
    if (entry === undefined) {
      entry = { holders: [], pinned: false, pruneAt: MIN_HOLDER_PRUNE };
      this.#pattern = undefined;
    } else {
      this.#entries.delete(value);
    }
    this.#entries.set(value, entry);
    if (holder === undefined) entry.pinned = true;
    else {
      // Dead holders are dropped when the list doubles, not on every add: one file's key read by 1,000 TSIGs made
      // 1,000 Secrets of one value, and a filtered copy per add was quadratic (15 MB, ~30 ms of a 10,000-resource
      // load). The list stays under twice its live holders (+ MIN_HOLDER_PRUNE).
      entry.holders.push(new WeakRef(holder));
      if (entry.holders.length > entry.pruneAt) {
        entry.holders = entry.holders.filter((h) => h.deref() !== undefined);
        entry.pruneAt = Math.max(MIN_HOLDER_PRUNE, 2 * entry.holders.length);
      }
    }
    if (this.#entries.size > this.#pruneAbove) {
      this.#dropReleased();
      this.#pruneAbove = this.#entries.size + Math.max(16, this.#keepReleased >> 2);
    }
  }

  /** Values registered (each scrubbed in up to three forms). */
  get size(): number {
    return this.#entries.size;
  }

  scrub(text: string): string {
    const shaped = text.includes('cfat_') ? text.replace(TOKEN_VALUE_SHAPE, REDACTED) : text;
    return this.#scrubRegistered(shaped);
  }

  #scrubRegistered(text: string): string {
    if (this.#entries.size === 0) return text;
    this.#pattern ??= new RegExp(
      [...new Set([...this.#entries.keys()].flatMap(formsOf))]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'g',
    );
    return text.replace(this.#pattern, REDACTED);
  }

  /** Drops the least recently seen released values beyond `keepReleased`; values still held are never dropped. */
  #dropReleased(): void {
    const released = [...this.#entries].filter(([, e]) => !e.pinned && !e.holders.some((h) => h.deref() !== undefined));
    const excess = released.length - this.#keepReleased;
    if (excess <= 0) return;
    for (const [value] of released.slice(0, excess)) this.#entries.delete(value);
    this.#pattern = undefined;
  }
}

function formsOf(value: string): string[] {
  return [value, Buffer.from(value, 'utf8').toString('base64'), encodeURIComponent(value)];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Process-wide: every Secret registers here, and every output stream is scrubbed through it. */
export const secretScrubber = new SecretScrubber();

/** What plans, diffs and state show in place of a secret. */
export const SENSITIVE = '(sensitive)';
