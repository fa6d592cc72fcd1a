/**
 * Authentication as Cloudflare does it (docs/cloudflare-api.md "Auth"): `Authorization: Bearer <token>` or the legacy
 * `X-Auth-Email` + `X-Auth-Key`. Accepted: the credentials the emulator was started with (any account), or a token
 * the emulator minted that is active, inside not_before/expires_on, whose IP condition matches the caller, used on
 * its own account. Error codes are the real ones: 400 9106 (no credentials), 400 6003 with a 6111/6102/6103 chain
 * (malformed header), 403 10000 (bad token), 403 9103 (bad email/key), 403 9109 (IP condition).
 */
import { BlockList, isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError, CF_CODES } from './envelope.js';
import { sha256Hex, tokenValueChecksumOk } from './random.js';
import type { EmulatorStore, StoredToken } from './store.js';
import { effectiveStatus } from './token-view.js';

export interface BootstrapCredentials {
  apiToken?: string | undefined;
  email?: string | undefined;
  apiKey?: string | undefined;
}

export type Principal =
  | { kind: 'bootstrap-token'; id: string }
  | { kind: 'api-key' }
  | { kind: 'minted'; account: string; token: StoredToken };

/** The key the rate limiter counts under: the presented credential (hashed), or the address when there is none. */
export function credentialKey(headers: IncomingHttpHeaders, remoteAddress: string): string {
  const authz = headers.authorization;
  if (typeof authz === 'string') return `t:${sha256Hex(authz)}`;
  const email = headers['x-auth-email'];
  const key = headers['x-auth-key'];
  if (typeof email === 'string' || typeof key === 'string') return `k:${sha256Hex(`${String(email)}\n${String(key)}`)}`;
  return `ip:${remoteAddress}`;
}

/** The credential formats the emulator accepts; the `emulator` command refuses bootstrap credentials outside them. */
export const TOKEN_FORMAT = /^[A-Za-z0-9_-]{20,200}$/;
export const EMAIL_FORMAT = /^[^@\s]+@[^@\s]+$/;
export const API_KEY_FORMAT = /^[A-Za-z0-9]{20,80}$/;
const BEARER = new RegExp(`^Bearer (${TOKEN_FORMAT.source.slice(1, -1)})$`);

function badHeader(chainCode: number, what: string): ApiError {
  return new ApiError(400, {
    code: CF_CODES.invalidHeaders,
    message: 'Invalid request headers',
    error_chain: [{ code: chainCode, message: `Invalid format for ${what} header` }],
  });
}

const authError = (): ApiError => new ApiError(403, { code: CF_CODES.authentication, message: 'Authentication error' });

export function authenticate(
  headers: IncomingHttpHeaders,
  remoteAddress: string,
  account: string | undefined,
  bootstrap: BootstrapCredentials,
  store: EmulatorStore,
  now: number,
): Principal {
  const authz = headers.authorization;
  if (typeof authz === 'string') {
    const m = BEARER.exec(authz);
    if (!m) throw badHeader(CF_CODES.invalidAuthorizationHeader, 'Authorization');
    const value = m[1]!;
    if (bootstrap.apiToken !== undefined && value === bootstrap.apiToken) {
      return { kind: 'bootstrap-token', id: sha256Hex(value).slice(0, 32) };
    }
    if (!tokenValueChecksumOk(value)) throw authError();
    const found = store.findTokenByValueHash(sha256Hex(value));
    if (!found || (account !== undefined && found.account !== account)) throw authError();
    if (effectiveStatus(found.token, now) !== 'active' || !withinValidity(found.token, now)) throw authError();
    if (!ipAllowed(found.token, remoteAddress)) {
      throw new ApiError(403, {
        code: CF_CODES.ipRestricted,
        message: `Cannot use the access token from location: ${normaliseAddress(remoteAddress)}`,
      });
    }
    return { kind: 'minted', account: found.account, token: found.token };
  }
  const email = headers['x-auth-email'];
  const key = headers['x-auth-key'];
  if (email === undefined && key === undefined) {
    throw new ApiError(400, {
      code: CF_CODES.missingAuth,
      message: 'Missing X-Auth-Key, X-Auth-Email or Authorization headers',
    });
  }
  if (typeof email !== 'string' || !EMAIL_FORMAT.test(email)) {
    throw badHeader(CF_CODES.invalidEmailHeader, 'X-Auth-Email');
  }
  if (typeof key !== 'string' || !API_KEY_FORMAT.test(key)) throw badHeader(CF_CODES.invalidKeyHeader, 'X-Auth-Key');
  if (bootstrap.email !== undefined && email === bootstrap.email && key === bootstrap.apiKey)
    return { kind: 'api-key' };
  throw new ApiError(403, { code: CF_CODES.unknownKey, message: 'Unknown X-Auth-Key or X-Auth-Email' });
}

function withinValidity(token: StoredToken, now: number): boolean {
  if (token.not_before !== undefined && now < Date.parse(token.not_before)) return false;
  return !(token.expires_on !== undefined && now >= Date.parse(token.expires_on));
}

export function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net, prefix] = cidr.split('/');
    const family = isIP(net ?? '');
    if (family === 0) continue;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(net!, type);
    else list.addSubnet(net!, Number(prefix), type);
  }
  return list;
}

function ipAllowed(token: StoredToken, remoteAddress: string): boolean {
  const cond = token.condition?.request_ip;
  if (!cond) return true;
  const addr = normaliseAddress(remoteAddress);
  const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
  if (cond.in && cond.in.length > 0 && !blockListOf(cond.in).check(addr, type)) return false;
  return !(cond.not_in && cond.not_in.length > 0 && blockListOf(cond.not_in).check(addr, type));
}
