/**
 * The emulator's notion of "now": an injected base clock plus an offset the control API can advance, so expiry and
 * rate-limit recovery are tested without sleeping.
 */
export interface NowSource {
  now(): number;
}

export class EmulatorClock {
  readonly #base: NowSource;
  #offsetMs = 0;

  constructor(base: NowSource) {
    this.#base = base;
  }

  now(): number {
    return this.#base.now() + this.#offsetMs;
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  advance(ms: number): void {
    this.#offsetMs += ms;
  }

  reset(): void {
    this.#offsetMs = 0;
  }

  iso(): string {
    // Cloudflare prints second precision: 2018-07-01T05:20:00Z.
    return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}
