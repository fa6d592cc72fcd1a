/**
 * The request pipeline under /client/v4: route → rate limit → auth → faults → validate and handle → envelope.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../effects.js';
import { authenticate, credentialKey, type BootstrapCredentials } from './auth.js';
import type { EmulatorCore } from './context.js';
import { ApiError, CF_CODES, failure, type ApiResponse } from './envelope.js';
import type { FaultInjector } from './faults.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RequestCounts } from './request-counts.js';
import type { RouteTable } from './routes.js';

export const BASE_PATH = '/client/v4';
const ACCOUNT_ID = /^[0-9a-f]{32}$/;

/** What the response hook sees: every answer the API sends (not the control API), for contract checks in tests. */
export interface ResponseRecord {
  method: string;
  path: string;
  operationId: string | undefined;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface ApiServerDeps {
  /** Embedded mode (`--emulator`): a zone first configured for transfers is created then (see autoZone). */
  autoZones?: boolean;
  core: EmulatorCore;
  routes: RouteTable;
  bootstrap: BootstrapCredentials;
  rateLimiter: RateLimiter;
  faults: FaultInjector;
  counts: RequestCounts;
  sleep: Clock['sleep'];
  hanging: Set<IncomingMessage>;
  onResponse?: ((record: ResponseRecord) => void) | undefined;
  /** Called when a fault eats the answer (reset, hang, commit-then-drop): tests wait on it instead of sleeping. */
  onFault?: ((event: FaultEvent) => void) | undefined;
}

export interface FaultEvent {
  operationId: string;
  kind: 'reset' | 'hang' | 'commit-then-drop';
}

export async function handleApi(
  deps: ApiServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
  rawBody: string,
): Promise<void> {
  const method = req.method ?? 'GET';
  const match = deps.routes.match(method, path);
  const operationId = typeof match === 'string' ? undefined : match.route.operationId;
  const countAs = operationId ?? 'unknown';
  let extraHeaders: Record<string, string> = {};
  const send = (response: ApiResponse): void => {
    const headers = { ...extraHeaders, ...response.headers, 'content-type': 'application/json' };
    deps.counts.add(countAs, response.status);
    res.writeHead(response.status, headers);
    res.end(JSON.stringify(response.body));
    deps.onResponse?.({ method, path, operationId, status: response.status, headers, body: response.body });
  };
  try {
    // Every call counts against the credential, even one to a route that does not exist (as at Cloudflare).
    const remote = req.socket.remoteAddress ?? '';
    const now = deps.core.clock.now();
    const rate = deps.rateLimiter.take(credentialKey(req.headers, remote), now);
    extraHeaders = rate.headers;
    if (!rate.allowed) {
      throw new ApiError(429, {
        code: CF_CODES.rateLimited,
        message: 'Please wait and consider throttling your request speed',
      });
    }
    if (match === 'no-route') throw new ApiError(404, { code: CF_CODES.noRoute, message: 'No route for that URI' });
    if (match === 'bad-method') {
      throw new ApiError(405, {
        code: CF_CODES.methodNotAllowed,
        message: `Method ${method} not allowed for this route`,
      });
    }
    // Zone-level paths belong to the zone's account (an unknown zone routes nowhere, as at Cloudflare).
    const zoneId = match.params.zone_id;
    if (zoneId !== undefined && deps.autoZones === true) autoZone(deps.core, zoneId, match.route.template, rawBody);
    const account =
      zoneId !== undefined ? (deps.core.store.zones.get(zoneId)?.account ?? '') : (match.params.account_id ?? '');
    if (!ACCOUNT_ID.test(account)) {
      throw new ApiError(404, {
        code: CF_CODES.objectNotFound,
        message: `Could not route to ${path}, perhaps your object identifier is invalid?`,
      });
    }
    const principal = authenticate(req.headers, remote, account, deps.bootstrap, deps.core.store, now);
    if (principal.kind === 'minted') principal.token.last_used_on = deps.core.clock.iso();

    const fault = deps.faults.decide(match.route.operationId, method, match.route.template);
    if (fault.delayMs > 0) await deps.sleep(fault.delayMs);
    switch (fault.action?.kind) {
      case 'error':
        throw new ApiError(fault.action.status, {
          code: CF_CODES.internal,
          message: 'Internal server error (injected)',
        });
      case 'reset':
        deps.counts.add(countAs, 'reset');
        req.socket.destroy();
        deps.onFault?.({ operationId: match.route.operationId, kind: 'reset' });
        return;
      case 'hang':
        deps.counts.add(countAs, 'hang');
        deps.hanging.add(req);
        req.socket.once('close', () => deps.hanging.delete(req));
        deps.onFault?.({ operationId: match.route.operationId, kind: 'hang' });
        return;
      default:
        break;
    }
    let body: unknown;
    if (rawBody.trim() !== '' && (method === 'POST' || method === 'PUT')) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        throw new ApiError(400, { code: CF_CODES.malformedJson, message: 'Malformed JSON in request body' });
      }
    }
    const response = match.route.handler({
      core: deps.core,
      operationId: match.route.operationId,
      account,
      params: match.params,
      query,
      body,
      principal,
      path,
    });
    if (fault.action?.kind === 'commit-then-drop') {
      deps.counts.add(countAs, 'commit-then-drop');
      req.socket.destroy();
      deps.onFault?.({ operationId: match.route.operationId, kind: 'commit-then-drop' });
      return;
    }
    send(response);
  } catch (e) {
    if (e instanceof ApiError) {
      send(failure(e));
      return;
    }
    send(failure(new ApiError(500, { code: CF_CODES.internal, message: 'Internal server error' })));
    throw e;
  }
}

/**
 * The embedded emulator has no dashboard to create zones in: a zone id it has not seen is created when its first
 * transfer configuration is posted — a secondary zone for incoming, a primary one for outgoing — in the account of
 * the peers it names, so `npm start` can apply the example's zone links. Test emulators never do this.
 */
function autoZone(core: EmulatorCore, zoneId: string, template: string, rawBody: string): void {
  if (core.store.zones.has(zoneId) || !/^[0-9a-f]{32}$/.test(zoneId)) return;
  const dir = template.endsWith('/incoming') ? 'incoming' : template.endsWith('/outgoing') ? 'outgoing' : undefined;
  if (dir === undefined) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    return;
  }
  if (typeof parsed !== 'object' || parsed === null) return;
  const body = parsed as { name?: unknown; peers?: unknown };
  const peers: readonly unknown[] = Array.isArray(body.peers) ? (body.peers as unknown[]) : [];
  const first = peers[0];
  if (typeof first !== 'string' || typeof body.name !== 'string') return;
  const account = [...core.store.accounts].find(([, a]) => a.peers.has(first))?.[0];
  if (account === undefined) return;
  const type = dir === 'incoming' ? 'secondary' : 'primary';
  core.store.zones.set(zoneId, { id: zoneId, account, name: body.name, type });
}
