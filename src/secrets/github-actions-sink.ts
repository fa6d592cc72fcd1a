/**
 * Token values stored as GitHub Actions repository or environment secrets: GET the public key, encrypt with a
 * libsodium sealed box (only GitHub can open it), PUT `{encrypted_value, key_id}`.
 */
import type Sodium from 'libsodium-wrappers';
import { CfgitopsError } from '../errors.js';
import { isLoopbackHost } from '../loopback.js';
import type { Clock, Logger } from '../effects.js';
import type { Secret } from '../secret.js';
import type { SinkRef } from '../state/types.js';
import { GitHubActionsClient, GitHubApiError, type PublicKey } from './github-client.js';
import { githubSecretName } from './github-secret-name.js';
import type { FetchLike } from './sink-deps.js';
import { SinkError, describeFailure } from './sink-error.js';
import type { SecretSink, SinkCheckResult, TokenMetadata } from './types.js';

export interface GitHubActionsSinkOptions {
  name: string;
  repository: string;
  environment?: string | undefined;
  tokenEnv: string;
  apiUrl: string;
  env: Readonly<Record<string, string | undefined>>;
  fetch: FetchLike;
  clock: Clock;
  log: Logger;
  timeoutMs: number;
  deadlineMs: number;
}

export class GitHubActionsSink implements SecretSink {
  readonly type = 'github-actions';
  readonly name: string;
  readonly #o: GitHubActionsSinkOptions;
  /** GitHub rotates the key rarely; one GET per run is enough (a 422 on PUT refetches). */
  #publicKey: Promise<PublicKey> | undefined;
  #client: GitHubActionsClient | undefined;

  /** Throws E_CONFIG / E_INSECURE_BASE_URL for a repository or URL that cannot work. */
  constructor(o: GitHubActionsSinkOptions) {
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(o.repository)) {
      throw new CfgitopsError('E_CONFIG', `github-actions sink "${o.name}": repository must be owner/name`);
    }
    checkApiUrl(o.name, o.apiUrl);
    this.name = o.name;
    this.#o = o;
  }

  describe(ref: SinkRef): string {
    const n = githubSecretName(ref.key);
    const secret = n.ok ? n.name : ref.key;
    const env = this.#o.environment === undefined ? '' : ` environment ${this.#o.environment}`;
    return `github-actions ${this.#o.repository}${env} secret ${secret}`;
  }

  async put(ref: SinkRef, token: TokenMetadata, value: Secret): Promise<void> {
    const n = githubSecretName(ref.key);
    if (!n.ok) {
      throw this.#fail(ref, `key "${ref.key}" is not a valid GitHub secret name: ${n.problem}`, {
        hint: 'set spec.secret.key to letters, digits and _ not starting with a digit or GITHUB_',
      });
    }
    try {
      const client = this.#clientOrThrow();
      let key = await this.#key(client);
      let outcome: 'created' | 'updated';
      try {
        outcome = await client.putSecret(n.name, await seal(value, key.key), key.key_id);
      } catch (e) {
        // 422 with a cached key: GitHub rotated it. Fetch it again once.
        if (!(e instanceof GitHubApiError && e.status === 422)) throw e;
        this.#publicKey = undefined;
        key = await this.#key(client);
        outcome = await client.putSecret(n.name, await seal(value, key.key), key.key_id);
      }
      this.#o.log.debug({ sink: this.name, secretName: n.name, tokenName: token.name, outcome }, 'stored token value');
    } catch (e) {
      if (e instanceof SinkError) throw e;
      const hint = e instanceof GitHubApiError ? e.hint : undefined;
      throw this.#fail(ref, describeFailure(e, value.reveal()), { hint, cause: e });
    }
  }

  /** DELETE the repository or environment secret; a 404 means it is already gone. */
  async remove(ref: SinkRef, token: TokenMetadata): Promise<'removed' | 'absent'> {
    const n = githubSecretName(ref.key);
    // A key that is no valid secret name was never stored: put refuses it.
    if (!n.ok) return 'absent';
    try {
      const outcome = await this.#clientOrThrow().deleteSecret(n.name);
      this.#o.log.debug(
        { sink: this.name, secretName: n.name, tokenName: token.name, outcome },
        'removed old token value',
      );
      return outcome;
    } catch (e) {
      const hint = e instanceof GitHubApiError ? e.hint : undefined;
      throw this.#fail(ref, describeFailure(e), { hint, cause: e });
    }
  }

  async check(): Promise<SinkCheckResult> {
    const where = `github-actions ${this.#o.repository}${this.#o.environment === undefined ? '' : ` environment ${this.#o.environment}`}`;
    try {
      const key = await this.#key(this.#clientOrThrow());
      return { ok: true, detail: `${where}: public key ${key.key_id} readable with $${this.#o.tokenEnv}` };
    } catch (e) {
      const hint = e instanceof GitHubApiError && e.hint ? ` (${e.hint})` : '';
      return { ok: false, detail: `${where}: ${describeFailure(e)}${hint}` };
    }
  }

  #clientOrThrow(): GitHubActionsClient {
    if (this.#client) return this.#client;
    const token = this.#o.env[this.#o.tokenEnv];
    if (token === undefined || token === '') {
      throw new GitHubApiError(
        `$${this.#o.tokenEnv} is not set`,
        undefined,
        `export ${this.#o.tokenEnv} with a GitHub token`,
      );
    }
    this.#client = new GitHubActionsClient({
      repository: this.#o.repository,
      environment: this.#o.environment,
      apiUrl: this.#o.apiUrl,
      tokenEnv: this.#o.tokenEnv,
      token,
      fetch: this.#o.fetch,
      clock: this.#o.clock,
      timeoutMs: this.#o.timeoutMs,
      deadlineMs: this.#o.deadlineMs,
      maxAttempts: 6,
    });
    return this.#client;
  }

  #key(client: GitHubActionsClient): Promise<PublicKey> {
    const p = (this.#publicKey ??= client.getPublicKey());
    // A failed fetch must not be cached: the next put tries again.
    p.catch(() => {
      if (this.#publicKey === p) this.#publicKey = undefined;
    });
    return p;
  }

  #fail(ref: SinkRef, message: string, options: { hint?: string | undefined; cause?: unknown }): SinkError {
    return new SinkError('E_SINK_WRITE', this.name, ref.key, this.describe(ref), message, {
      ...(options.hint === undefined ? {} : { hint: options.hint }),
      cause: options.cause,
    });
  }
}

/** libsodium sealed box to GitHub's base64 public key; the result is base64 as GitHub expects. */
export async function seal(value: Secret, publicKeyBase64: string): Promise<string> {
  // libsodium (a WebAssembly build) is loaded only when a value is sealed for GitHub.
  const sodium = ((await import('libsodium-wrappers')) as { default: typeof Sodium }).default;
  await sodium.ready;
  const pk = sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL);
  return sodium.to_base64(sodium.crypto_box_seal(value.reveal(), pk), sodium.base64_variants.ORIGINAL);
}

/** https anywhere; plain http only to this machine (the test fake), like the Cloudflare client. */
export function checkApiUrl(sink: string, apiUrl: string): void {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new CfgitopsError('E_CONFIG', `github-actions sink "${sink}": apiUrl is not a URL`);
  }
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return;
  throw new CfgitopsError(
    'E_INSECURE_BASE_URL',
    `github-actions sink "${sink}": apiUrl must use https (http only for loopback)`,
  );
}
