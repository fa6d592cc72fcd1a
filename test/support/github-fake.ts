/**
 * A loopback fake of GitHub's Actions-secrets REST endpoints (repository and environment secrets), for tests.
 *
 * The test holds each scope's libsodium private key, so it can open what arrived and prove the value. Responses can
 * be scripted ahead (`script`) to exercise rate limits and errors. `startLoopbackServer` is the reusable part: a
 * node:http server on 127.0.0.1:0 around one async handler.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sodium from 'libsodium-wrappers';

export interface LoopbackServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  close(): Promise<void>;
}

export interface FakeRequest {
  method: string;
  /** Path without the query. */
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export async function startLoopbackServer(
  handler: (req: FakeRequest) => Promise<FakeResponse> | FakeResponse,
): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: FakeRequest = {
        method: req.method ?? 'GET',
        path: new URL(req.url ?? '/', 'http://x').pathname,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      Promise.resolve(handler(request)).then(
        (r) => {
          send(res, r);
        },
        (e: unknown) => {
          send(res, { status: 500, body: { message: String(e) } });
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => {
          if (e) reject(e);
          else resolve();
        });
      }),
  };
}

function send(res: ServerResponse, r: FakeResponse): void {
  const body = r.body === undefined ? '' : JSON.stringify(r.body);
  res.writeHead(r.status, { ...(body ? { 'content-type': 'application/json' } : {}), ...r.headers });
  res.end(body);
}

export interface StoredSecret {
  encrypted_value: string;
  key_id: string;
}

export interface GitHubFakeOptions {
  /** The only token accepted (as `Authorization: Bearer …`). */
  token: string;
  /** `owner/repo` names that exist. */
  repositories: string[];
  /** `owner/repo` → environment names that exist. */
  environments?: Record<string, string[]>;
  /** When true, PUTs answer 403 (a read-only token). */
  readOnly?: boolean;
}

export interface GitHubFake extends LoopbackServer {
  /** Every request, in order, with the authorization header removed. */
  readonly requests: FakeRequest[];
  /** Responses to send instead of the real handling, one per request, first in first out. */
  script(...responses: FakeResponse[]): void;
  /** The plain value of a stored secret, opened with the scope's private key. `scope` is `owner/repo` or `owner/repo:env`. */
  reveal(scope: string, name: string): string | undefined;
  /** Stored secrets of a scope, by name. */
  stored(scope: string): ReadonlyMap<string, StoredSecret>;
  /** Replaces a scope's key pair (GitHub rotating its key). */
  rotateKey(scope: string): void;
}

interface Scope {
  keyId: string;
  keyPair: { publicKey: Uint8Array; privateKey: Uint8Array };
  secrets: Map<string, StoredSecret>;
}

const VALID_NAME = /^[A-Z_][A-Z0-9_]*$/;

export async function startGitHubFake(options: GitHubFakeOptions): Promise<GitHubFake> {
  await sodium.ready;
  const scopes = new Map<string, Scope>();
  let keySerial = 0;
  const newScope = (existing?: Scope): Scope => ({
    keyId: `key-${++keySerial}`,
    keyPair: sodium.crypto_box_keypair(),
    secrets: existing?.secrets ?? new Map(),
  });
  for (const repo of options.repositories) {
    scopes.set(repo, newScope());
    for (const env of options.environments?.[repo] ?? []) scopes.set(`${repo}:${env}`, newScope());
  }
  const requests: FakeRequest[] = [];
  const scripted: FakeResponse[] = [];

  const route = (req: FakeRequest): FakeResponse => {
    if (req.headers.authorization !== `Bearer ${options.token}`)
      return { status: 401, body: { message: 'Bad credentials' } };
    const m = /^\/repos\/([^/]+)\/([^/]+)\/(?:actions|environments\/([^/]+))\/secrets\/([^/]+)$/.exec(req.path);
    if (!m) return { status: 404, body: { message: 'Not Found' } };
    const [, owner, repo, env, last] = m;
    const scopeKey = `${decodeURIComponent(owner!)}/${decodeURIComponent(repo!)}${env === undefined ? '' : `:${decodeURIComponent(env)}`}`;
    const scope = scopes.get(scopeKey);
    if (!scope) return { status: 404, body: { message: 'Not Found' } };
    if (last === 'public-key' && req.method === 'GET') {
      return {
        status: 200,
        body: { key_id: scope.keyId, key: sodium.to_base64(scope.keyPair.publicKey, sodium.base64_variants.ORIGINAL) },
      };
    }
    if (req.method === 'DELETE') {
      // As GitHub: 204 when deleted, 404 when there is no such secret.
      if (options.readOnly)
        return { status: 403, body: { message: 'Resource not accessible by personal access token' } };
      return scope.secrets.delete(decodeURIComponent(last!).toUpperCase())
        ? { status: 204 }
        : { status: 404, body: { message: 'Not Found' } };
    }
    if (req.method !== 'PUT') return { status: 404, body: { message: 'Not Found' } };
    if (options.readOnly) return { status: 403, body: { message: 'Resource not accessible by personal access token' } };
    const name = decodeURIComponent(last!).toUpperCase();
    const body = JSON.parse(req.body) as Partial<StoredSecret>;
    if (!VALID_NAME.test(name) || name.startsWith('GITHUB_')) return { status: 422, body: { message: 'Invalid name' } };
    if (body.key_id !== scope.keyId || typeof body.encrypted_value !== 'string') {
      return { status: 422, body: { message: 'Bad request - key_id is invalid' } };
    }
    const existed = scope.secrets.has(name);
    scope.secrets.set(name, { encrypted_value: body.encrypted_value, key_id: body.key_id });
    return { status: existed ? 204 : 201 };
  };

  const server = await startLoopbackServer((req) => {
    const { authorization: _auth, ...headers } = req.headers;
    requests.push({ ...req, headers });
    return scripted.shift() ?? route(req);
  });

  return {
    ...server,
    requests,
    script: (...responses) => scripted.push(...responses),
    reveal(scopeKey, name) {
      const scope = scopes.get(scopeKey);
      const s = scope?.secrets.get(name);
      if (!scope || !s) return undefined;
      const box = sodium.from_base64(s.encrypted_value, sodium.base64_variants.ORIGINAL);
      return sodium.crypto_box_seal_open(box, scope.keyPair.publicKey, scope.keyPair.privateKey, 'text');
    },
    stored: (scopeKey) => scopes.get(scopeKey)?.secrets ?? new Map(),
    rotateKey(scopeKey) {
      const scope = scopes.get(scopeKey);
      if (scope) scopes.set(scopeKey, newScope(scope));
    },
  };
}
