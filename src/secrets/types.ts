/**
 * Where token values go. A token's value is the one thing cfgitops can never read back, so a sink must be durable
 * before the state marks the token complete, and idempotent so re-delivering the same value is harmless.
 */
import type { Secret } from '../secret.js';
import type { SinkRef } from '../state/types.js';

/** What a sink may know about the token besides its value (goes to `exec` as env vars, to messages, …). */
export interface TokenMetadata {
  /** `metadata.name` */
  name: string;
  /** Cloudflare token id */
  id: string;
  account: string;
  /** Cloudflare-side name */
  cf_name: string;
}

export interface SinkCheckResult {
  ok: boolean;
  /** What was checked, e.g. `file .cfgitops/secrets.json is writable`; never a secret. */
  detail: string;
  /**
   * Not ok, but a `put` would still succeed (and fix it): e.g. a secrets file others can read, which the atomic
   * 0600 rewrite replaces. `sinks check` fails on it; apply does not refuse to mint a value because of it.
   */
  advisory?: boolean;
}

export interface SecretSink {
  /** The name from config. */
  readonly name: string;
  /** `file`, `age`, `github-actions`, `exec`, … */
  readonly type: string;
  /**
   * Stores `value` under `ref.key`, durably, replacing any earlier value. Idempotent. Throws E_SINK_WRITE with a
   * message that never contains the value.
   */
  put(ref: SinkRef, token: TokenMetadata, value: Secret): Promise<void>;
  /**
   * Removes whatever the sink holds under `ref.key` (the old value of a token that moved to another sink), durably.
   * Idempotent: `absent` when there was nothing to remove. Throws E_SINK_WRITE naming the sink and what to do.
   */
  remove(ref: SinkRef, token: TokenMetadata): Promise<'removed' | 'absent'>;
  /** `file .cfgitops/secrets.json#ci-deploy` — for plans and messages. */
  describe(ref: SinkRef): string;
  /**
   * Reachable and writable, without writing a secret — and with no side effect at all (no file or directory
   * created, no command run, only reads and GETs): `plan` runs it on untrusted pull requests.
   */
  check(): Promise<SinkCheckResult>;
}

export interface SecretSinks {
  /** Name of the sink used when a token says nothing. */
  readonly defaultSink: string;
  /** Throws E_SINK_UNKNOWN for a name that is not configured. */
  get(name: string): SecretSink;
  names(): readonly string[];
}
