/**
 * The control and inspection API at /__emulator/… (no auth; loopback callers only). Tests and demos use it to look
 * inside the emulator and to steer it:
 *   GET  /__emulator/requests                  counts per operationId and outcome
 *   GET  /__emulator/resources[?secrets=1]     every account's peers, TSIGs, tokens (secrets only when asked)
 *   POST /__emulator/reset                     back to the start: no resources, counts, buckets, clock offset
 *   GET|PUT /__emulator/faults                 `{rules: FaultRule[]}`
 *   GET|PUT /__emulator/rate-limit             `{enabled, quota, windowSeconds, blockSeconds}`
 *   PUT  /__emulator/accounts/{acct}/tokens/{id}/status   `{status}`, e.g. `revoked (exposed)`
 *   GET  /__emulator/clock, POST /__emulator/clock/advance `{ms}` or `{seconds}`
 *   GET  /__emulator/secrets                   every token value and TSIG secret ever minted or stored
 *   POST /__emulator/zones                     `{account, name, type: primary|secondary}` → the zone (its id)
 *   GET  /__emulator/zones                     every zone with its transfer configurations
 */
import type { EmulatorCore } from './context.js';
import { faultRuleProblem, type FaultInjector, type FaultRule } from './faults.js';
import type { RateLimiter, RateLimitSettings } from './rate-limiter.js';
import type { RequestCounts } from './request-counts.js';
import type { RouteTable } from './routes.js';
import { newId } from './random.js';
import type { StoredTokenStatus, StoredZone } from './store.js';

export const CONTROL_PATH = '/__emulator';

export interface ControlDeps {
  core: EmulatorCore;
  routes: RouteTable;
  rateLimiter: RateLimiter;
  faults: FaultInjector;
  counts: RequestCounts;
  /** Restores startup settings (faults, rate limit) and empties everything else. */
  reset(): void;
}

export interface ControlResponse {
  status: number;
  body: unknown;
}

const SETTABLE_STATUSES: readonly StoredTokenStatus[] = ['active', 'disabled', 'revoked (exposed)'];

const bad = (message: string): ControlResponse => ({ status: 400, body: { error: message } });

export function handleControl(
  deps: ControlDeps,
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
): ControlResponse {
  const route = `${method} ${path.slice(CONTROL_PATH.length) || '/'}`;
  const input = (body ?? {}) as Record<string, unknown>;
  switch (route) {
    case 'GET /requests':
      return { status: 200, body: deps.counts.toJSON() };
    case 'GET /resources':
      return { status: 200, body: resources(deps.core, query.get('secrets') === '1', query.get('account')) };
    case 'POST /reset':
      deps.reset();
      return { status: 200, body: { ok: true } };
    case 'GET /faults':
      return { status: 200, body: { rules: deps.faults.rules } };
    case 'PUT /faults': {
      const rules = input.rules;
      if (!Array.isArray(rules)) return bad('body must be {rules: [...]}');
      const problem = rules.map((r, i) => faultRuleProblem(r, i, deps.routes.routes)).find((p) => p !== undefined);
      if (problem !== undefined) return bad(problem);
      deps.faults.set(rules as FaultRule[]);
      return { status: 200, body: { rules: deps.faults.rules } };
    }
    case 'GET /rate-limit':
      return { status: 200, body: deps.rateLimiter.settings };
    case 'PUT /rate-limit': {
      const next: Partial<RateLimitSettings> = {};
      if (typeof input.enabled === 'boolean') next.enabled = input.enabled;
      for (const k of ['quota', 'windowSeconds', 'blockSeconds'] as const) {
        const v = input[k];
        if (v === undefined) continue;
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return bad(`${k} must be a positive integer`);
        next[k] = v;
      }
      deps.rateLimiter.configure(next);
      return { status: 200, body: deps.rateLimiter.settings };
    }
    case 'GET /clock':
      return { status: 200, body: clockView(deps.core) };
    case 'POST /clock/advance': {
      const ms =
        typeof input.ms === 'number' ? input.ms : typeof input.seconds === 'number' ? input.seconds * 1000 : NaN;
      if (!Number.isFinite(ms) || ms < 0) return bad('body must be {ms} or {seconds}, ≥ 0');
      deps.core.clock.advance(ms);
      return { status: 200, body: clockView(deps.core) };
    }
    case 'GET /zones':
      return { status: 200, body: { zones: [...deps.core.store.zones.values()] } };
    case 'POST /zones':
      return createZone(deps, input);
    case 'GET /secrets':
      return { status: 200, body: { secrets: deps.core.secrets.list() } };
    default:
      return tokenStatus(deps, method, path, input);
  }
}

function tokenStatus(deps: ControlDeps, method: string, path: string, input: Record<string, unknown>): ControlResponse {
  const m = /^\/__emulator\/accounts\/([0-9a-f]{32})\/tokens\/([0-9a-f]{32})\/status$/.exec(path);
  if (!m || method !== 'PUT') return { status: 404, body: { error: `no control route ${method} ${path}` } };
  const token = deps.core.store.accounts.get(m[1]!)?.tokens.get(m[2]!);
  if (!token) return { status: 404, body: { error: 'no such token' } };
  const status = input.status as StoredTokenStatus;
  if (!SETTABLE_STATUSES.includes(status)) return bad(`status must be one of ${SETTABLE_STATUSES.join(', ')}`);
  token.status = status;
  token.modified_on = deps.core.clock.iso();
  deps.core.store.persist();
  return { status: 200, body: { id: token.id, status } };
}

const ZONE_TYPES = ['primary', 'secondary'] as const;

/** Zones are not managed by cfgitops: tests and demos create them here, primary or secondary. */
function createZone(deps: ControlDeps, input: Record<string, unknown>): ControlResponse {
  const { account, name, type } = input;
  if (typeof account !== 'string' || !/^[0-9a-f]{32}$/.test(account)) return bad('account must be a 32-hex id');
  if (typeof name !== 'string' || name === '') return bad('name must be a zone name, e.g. example.com');
  if (!ZONE_TYPES.includes(type as StoredZone['type'])) return bad(`type must be one of ${ZONE_TYPES.join(', ')}`);
  const id = typeof input.id === 'string' && /^[0-9a-f]{32}$/.test(input.id) ? input.id : newId(deps.core.random);
  if (deps.core.store.zones.has(id)) return bad(`zone ${id} exists`);
  const zone: StoredZone = { id, account, name, type: type as StoredZone['type'] };
  deps.core.store.zones.set(id, zone);
  deps.core.store.persist();
  return { status: 200, body: zone };
}

function clockView(core: EmulatorCore): { now: string; nowMs: number; offsetMs: number } {
  return { now: core.clock.iso(), nowMs: core.clock.now(), offsetMs: core.clock.offsetMs };
}

function resources(core: EmulatorCore, withSecrets: boolean, only: string | null): unknown {
  const accounts: Record<string, unknown> = {};
  for (const [id, acct] of core.store.accounts) {
    if (only !== null && id !== only) continue;
    accounts[id] = {
      peers: [...acct.peers.values()],
      tsigs: [...acct.tsigs.values()].map((t) => (withSecrets ? t : { id: t.id, name: t.name, algo: t.algo })),
      tokens: [...acct.tokens.values()].map((t) => {
        const { value_sha256, ...rest } = t;
        return withSecrets ? { ...rest, value_sha256 } : rest;
      }),
      acls: [...acct.acls.values()],
      zones: [...core.store.zones.values()].filter((z) => z.account === id),
    };
  }
  return { accounts };
}
