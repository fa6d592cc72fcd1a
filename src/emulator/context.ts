/**
 * What every route handler gets: the parsed request, the authenticated principal, and the emulator's state.
 */
import type { Principal } from './auth.js';
import type { ApiResponse } from './envelope.js';
import type { EmulatorClock } from './emulator-clock.js';
import type { Random } from './random.js';
import type { RequestValidator } from './request-validator.js';
import type { EmulatorStore } from './store.js';

/** Every secret the emulator ever minted or stored, in memory only: leak tests scan outputs for these. */
export class SecretLedger {
  readonly #values = new Set<string>();

  add(value: string): void {
    this.#values.add(value);
  }

  list(): string[] {
    return [...this.#values];
  }

  clear(): void {
    this.#values.clear();
  }
}

export interface EmulatorCore {
  store: EmulatorStore;
  clock: EmulatorClock;
  random: Random;
  validator: RequestValidator;
  secrets: SecretLedger;
}

export interface HandlerContext {
  core: EmulatorCore;
  operationId: string;
  account: string;
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  body: unknown;
  principal: Principal;
  /** The request path after the base path, for error messages (`/accounts/…/tokens/…`). */
  path: string;
}

export type Handler = (ctx: HandlerContext) => ApiResponse;
