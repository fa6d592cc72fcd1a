/**
 * Cloudflare credentials from the environment, using the ecosystem's variable names (official SDKs, Terraform):
 * `CLOUDFLARE_API_TOKEN`, or the legacy `CLOUDFLARE_EMAIL` + `CLOUDFLARE_API_KEY` (docs/cloudflare-api.md).
 * Values are wrapped in `Secret` the moment they are read.
 */
import { sha256 } from '../sha256.js';
import { CfgitopsError } from '../errors.js';
import { Secret } from '../secret.js';

export type CloudflareCredentials = { type: 'token'; token: Secret } | { type: 'key'; email: string; key: Secret };

export type Env = Readonly<Record<string, string | undefined>>;

function nonEmpty(v: string | undefined): v is string {
  return v !== undefined && v.trim() !== '';
}

export function hasCredentials(env: Env): boolean {
  return (
    nonEmpty(env['CLOUDFLARE_API_TOKEN']) || (nonEmpty(env['CLOUDFLARE_EMAIL']) && nonEmpty(env['CLOUDFLARE_API_KEY']))
  );
}

export function credentialsFromEnv(env: Env): CloudflareCredentials {
  const token = env['CLOUDFLARE_API_TOKEN'];
  if (nonEmpty(token)) {
    // Edges are trimmed (a secret store's trailing newline is harmless); anything else malformed is refused here,
    // because undici refuses to send such a header and the run would fail on every request instead.
    const value = token.trim();
    checkToken(value);
    return { type: 'token', token: new Secret(value) };
  }
  const email = env['CLOUDFLARE_EMAIL'];
  const key = env['CLOUDFLARE_API_KEY'];
  if (nonEmpty(email) && nonEmpty(key)) {
    checkHeaderValue('CLOUDFLARE_EMAIL', email.trim(), 'an email address');
    checkHeaderValue('CLOUDFLARE_API_KEY', key.trim(), 'a global API key');
    if (!email.includes('@')) throw invalid('CLOUDFLARE_EMAIL', 'is not an email address', KEY_HINT);
    return { type: 'key', email: email.trim(), key: new Secret(key.trim()) };
  }
  const half = nonEmpty(email) ? 'CLOUDFLARE_API_KEY is not set' : nonEmpty(key) ? 'CLOUDFLARE_EMAIL is not set' : '';
  throw new CfgitopsError(
    'E_CREDENTIALS_MISSING',
    `no Cloudflare credentials in the environment${half ? ` (${half})` : ''}`,
    {
      hint: 'set CLOUDFLARE_API_TOKEN to an API token (preferred), or both CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY',
    },
  );
}

/**
 * Cloudflare tokens are 40 characters of [A-Za-z0-9_-], or `cfat_…` with a checksum (docs/cloudflare-api.md "Account-owned API
 * tokens"); the range is wider so that a future format is not refused.
 */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{20,200}$/;
const TOKEN_HINT =
  'set it to the token value alone: 20–200 letters, digits, "_" or "-" (e.g. 40 characters, or cfat_…), without quotes, "Bearer ", spaces or line breaks';
const KEY_HINT =
  'check CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY for quotes, spaces or line breaks; or use CLOUDFLARE_API_TOKEN instead';

function checkToken(value: string): void {
  if (TOKEN_FORMAT.test(value)) return;
  const name = 'CLOUDFLARE_API_TOKEN';
  if (/^bearer\s/i.test(value)) throw invalid(name, 'starts with "Bearer "', TOKEN_HINT);
  if (/^["'`]|["'`]$/.test(value)) throw invalid(name, 'is wrapped in quotes', TOKEN_HINT);
  if (/[\r\n]/.test(value)) throw invalid(name, 'contains a line break', TOKEN_HINT);
  if (/\s/.test(value)) throw invalid(name, 'contains whitespace', TOKEN_HINT);
  if (hasControlCharacter(value)) throw invalid(name, 'contains control characters', TOKEN_HINT);
  if (value.length < 20) throw invalid(name, 'is too short to be an API token', TOKEN_HINT);
  if (value.length > 200) throw invalid(name, 'is too long to be an API token', TOKEN_HINT);
  throw invalid(name, 'contains characters an API token never has', TOKEN_HINT);
}

/** What an HTTP header may carry, minus spaces: visible ASCII. */
function checkHeaderValue(name: string, value: string, what: string): void {
  if (/^[\x21-\x7e]+$/.test(value)) return;
  const problem = /[\r\n]/.test(value)
    ? 'contains a line break'
    : /\s/.test(value)
      ? 'contains whitespace'
      : hasControlCharacter(value)
        ? 'contains control characters'
        : `contains characters ${what} never has`;
  throw invalid(name, problem, KEY_HINT);
}

function hasControlCharacter(value: string): boolean {
  for (const ch of value) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || (c >= 0x7f && c < 0xa0)) return true;
  }
  return false;
}

/** Names the variable and the kind of problem, never the value (it may be most of a real secret). */
function invalid(variable: string, problem: string, hint: string): CfgitopsError {
  return new CfgitopsError('E_CREDENTIALS_INVALID', `${variable} is malformed: it ${problem}`, { hint });
}

/** The request headers that authenticate. Built per request so the revealed value is never kept around. */
export function authHeaders(credentials: CloudflareCredentials): Record<string, string> {
  return credentials.type === 'token'
    ? { authorization: `Bearer ${credentials.token.reveal()}` }
    : { 'x-auth-email': credentials.email, 'x-auth-key': credentials.key.reveal() };
}

export function describeCredentials(credentials: CloudflareCredentials): string {
  return credentials.type === 'token' ? 'API token' : 'global API key (email + key)';
}

/**
 * A one-way fingerprint: the key under which clients using the same credential share one rate-limit bucket
 * (Cloudflare counts requests per user/token). Never printed.
 */
export function credentialFingerprint(credentials: CloudflareCredentials): string {
  const material =
    credentials.type === 'token'
      ? `token:${credentials.token.reveal()}`
      : `key:${credentials.email}:${credentials.key.reveal()}`;
  return sha256().update(material).digest('hex');
}
