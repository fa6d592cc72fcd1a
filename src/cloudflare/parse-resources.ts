/**
 * Shape checks of the results the client uses, at the edge. Secrets (TSIG secrets, token values) are wrapped in
 * `Secret` here, the moment they are read; `condition["request.ip"]` (older spelling) becomes `request_ip`.
 */
import { Secret } from '../secret.js';
import type {
  CfAcl,
  CfZone,
  CfZoneTransfer,
  CfCondition,
  CfPeer,
  CfPermissionGroup,
  CfPermissionGroupRef,
  CfPolicy,
  CfResources,
  CfToken,
  CfTokenStatus,
  CfTokenVerification,
  CfTsig,
} from './types.js';

/** A result that does not have the shape we rely on; the resource API turns it into E_API_RESPONSE. */
export class ResultShapeError extends Error {
  override readonly name = 'ResultShapeError';
}

type Obj = Record<string, unknown>;

function obj(v: unknown, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ResultShapeError(`${what} is not an object`);
  return v as Obj;
}

function str(o: Obj, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new ResultShapeError(`${what}.${key} is not a non-empty string`);
  return v;
}

/** Optional fields: absent, null and "" (the API uses all three for "unset") become undefined. */
function optStr(o: Obj, key: string, what: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new ResultShapeError(`${what}.${key} is not a string`);
  return v;
}

export function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new ResultShapeError(`${what} is not an array`);
  return v;
}

export function parsePeer(v: unknown): CfPeer {
  const o = obj(v, 'peer');
  const peer: CfPeer = { id: str(o, 'id', 'peer'), name: str(o, 'name', 'peer') };
  const ip = optStr(o, 'ip', 'peer');
  if (ip !== undefined) peer.ip = ip;
  if (o['port'] !== undefined && o['port'] !== null) {
    if (typeof o['port'] !== 'number') throw new ResultShapeError('peer.port is not a number');
    peer.port = o['port'];
  }
  if (o['ixfr_enable'] !== undefined && o['ixfr_enable'] !== null) {
    if (typeof o['ixfr_enable'] !== 'boolean') throw new ResultShapeError('peer.ixfr_enable is not a boolean');
    peer.ixfr_enable = o['ixfr_enable'];
  }
  const tsig = optStr(o, 'tsig_id', 'peer');
  if (tsig !== undefined) peer.tsig_id = tsig;
  return peer;
}

export function parseAcl(v: unknown): CfAcl {
  const o = obj(v, 'acl');
  return { id: str(o, 'id', 'acl'), name: str(o, 'name', 'acl'), ip_range: str(o, 'ip_range', 'acl') };
}

export function parseZoneTransfer(zone: string, v: unknown): CfZoneTransfer {
  const o = obj(v, 'zone transfer');
  const peers = arr(o['peers'] ?? [], 'zone transfer.peers').map((p) => {
    if (typeof p !== 'string') throw new ResultShapeError('zone transfer peers are not strings');
    return p;
  });
  const out: CfZoneTransfer = {
    id: str(o, 'id', 'zone transfer'),
    zone_id: zone,
    name: str(o, 'name', 'zone transfer'),
    peers,
  };
  for (const key of ['auto_refresh_seconds', 'soa_serial'] as const) {
    const n = o[key];
    if (n === undefined || n === null) continue;
    if (typeof n !== 'number') throw new ResultShapeError(`zone transfer ${key} is not a number`);
    out[key] = n;
  }
  const checked = optStr(o, 'checked_time', 'zone transfer');
  if (checked !== undefined) out.checked_time = checked;
  const last = optStr(o, 'last_transferred_time', 'zone transfer');
  if (last !== undefined) out.last_transferred_time = last;
  return out;
}

export function parseZone(v: unknown): CfZone {
  const o = obj(v, 'zone');
  const out: CfZone = { id: str(o, 'id', 'zone'), name: str(o, 'name', 'zone') };
  const type = optStr(o, 'type', 'zone');
  if (type !== undefined) out.type = type;
  return out;
}

/** A result that is a string (force_axfr, enable, status) or null. */
export function parseText(v: unknown): string | null {
  if (v === null || typeof v === 'string') return v;
  throw new ResultShapeError('result is not a string');
}

export function parseTsig(v: unknown): CfTsig {
  const o = obj(v, 'tsig');
  return {
    id: str(o, 'id', 'tsig'),
    name: str(o, 'name', 'tsig'),
    algo: str(o, 'algo', 'tsig'),
    secret: new Secret(str(o, 'secret', 'tsig')),
  };
}

const TOKEN_STATUSES: ReadonlySet<string> = new Set(['active', 'disabled', 'expired', 'revoked (exposed)']);

function parseResources(v: unknown): CfResources {
  const o = obj(v, 'policy.resources');
  const out: CfResources = {};
  for (const [k, r] of Object.entries(o)) {
    if (typeof r === 'string') out[k] = r;
    else {
      const nested: Record<string, string> = {};
      for (const [nk, nv] of Object.entries(obj(r, `policy.resources.${k}`))) {
        if (typeof nv !== 'string') throw new ResultShapeError(`policy.resources.${k}.${nk} is not a string`);
        nested[nk] = nv;
      }
      out[k] = nested;
    }
  }
  return out;
}

function parsePolicy(v: unknown): CfPolicy {
  const o = obj(v, 'policy');
  const effect = o['effect'];
  if (effect !== 'allow' && effect !== 'deny') throw new ResultShapeError('policy.effect is not allow or deny');
  const groups = arr(o['permission_groups'], 'policy.permission_groups').map((g): CfPermissionGroupRef => {
    const go = obj(g, 'permission group');
    const ref: CfPermissionGroupRef = { id: str(go, 'id', 'permission group') };
    const name = optStr(go, 'name', 'permission group');
    if (name !== undefined) ref.name = name;
    if (go['meta'] !== undefined && go['meta'] !== null) {
      const meta: Record<string, string> = {};
      for (const [k, mv] of Object.entries(obj(go['meta'], 'permission group meta'))) {
        if (typeof mv === 'string') meta[k] = mv;
      }
      ref.meta = meta;
    }
    return ref;
  });
  const policy: CfPolicy = { effect, permission_groups: groups, resources: parseResources(o['resources']) };
  const id = optStr(o, 'id', 'policy');
  if (id !== undefined) policy.id = id;
  return policy;
}

function cidrs(v: unknown, what: string): string[] {
  return arr(v, what).map((c) => {
    if (typeof c !== 'string') throw new ResultShapeError(`${what} has a non-string entry`);
    return c;
  });
}

function parseCondition(v: unknown): CfCondition | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, 'token.condition');
  // Older API docs and responses spell it "request.ip" (docs/cloudflare-api.md "Condition").
  const ipRaw = o['request_ip'] ?? o['request.ip'];
  if (ipRaw === undefined || ipRaw === null) return {};
  const ip = obj(ipRaw, 'token.condition.request_ip');
  const requestIp: NonNullable<CfCondition['request_ip']> = {};
  if (ip['in'] !== undefined && ip['in'] !== null) requestIp.in = cidrs(ip['in'], 'request_ip.in');
  if (ip['not_in'] !== undefined && ip['not_in'] !== null) requestIp.not_in = cidrs(ip['not_in'], 'request_ip.not_in');
  return { request_ip: requestIp };
}

function tokenStatus(o: Obj, what: string): CfTokenStatus {
  const s = str(o, 'status', what);
  if (!TOKEN_STATUSES.has(s)) throw new ResultShapeError(`${what}.status "${s}" is not a known token status`);
  return s as CfTokenStatus;
}

export function parseToken(v: unknown): CfToken {
  const o = obj(v, 'token');
  const token: CfToken = {
    id: str(o, 'id', 'token'),
    name: str(o, 'name', 'token'),
    status: tokenStatus(o, 'token'),
    policies: arr(o['policies'] ?? [], 'token.policies').map(parsePolicy),
  };
  const condition = parseCondition(o['condition']);
  if (condition !== undefined) token.condition = condition;
  for (const k of ['expires_on', 'not_before', 'issued_on', 'modified_on', 'last_used_on'] as const) {
    const d = optStr(o, k, 'token');
    if (d !== undefined) token[k] = d;
  }
  return token;
}

/** A create answer: the token plus its value, the only time the value is ever returned. */
export function parseTokenWithValue(v: unknown): { token: CfToken; value: Secret } {
  const o = obj(v, 'token');
  return { token: parseToken(o), value: new Secret(str(o, 'value', 'token')) };
}

/** A roll answers with the new value as a bare string (docs/cloudflare-api.md "Roll"). */
export function parseRolledValue(v: unknown): Secret {
  if (typeof v !== 'string' || v === '') throw new ResultShapeError('roll result is not a string');
  return new Secret(v);
}

export function parsePermissionGroup(v: unknown): CfPermissionGroup {
  const o = obj(v, 'permission group');
  const group: CfPermissionGroup = {
    id: str(o, 'id', 'permission group'),
    name: str(o, 'name', 'permission group'),
    scopes: cidrs(o['scopes'] ?? [], 'permission group.scopes'),
  };
  const category = optStr(o, 'category', 'permission group');
  if (category !== undefined) group.category = category;
  return group;
}

export function parseVerification(v: unknown): CfTokenVerification {
  const o = obj(v, 'verification');
  const out: CfTokenVerification = { id: str(o, 'id', 'verification'), status: tokenStatus(o, 'verification') };
  const exp = optStr(o, 'expires_on', 'verification');
  if (exp !== undefined) out.expires_on = exp;
  const nb = optStr(o, 'not_before', 'verification');
  if (nb !== undefined) out.not_before = nb;
  return out;
}
