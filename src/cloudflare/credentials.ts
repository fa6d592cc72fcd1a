/**
 * Cloudflare credentials from the environment, using the ecosystem's variable names (official SDKs, Terraform):
 * `CLOUDFLARE_API_TOKEN`, or the legacy `CLOUDFLARE_EMAIL` + `CLOUDFLARE_API_KEY` (../shared/cloudflare/NOTES.md).
 * Values are wrapped in `Secret` the moment they are read.
 */
import { createHash } from 'node:crypto';
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
  if (nonEmpty(token)) return { type: 'token', token: new Secret(token.trim()) };
  const email = env['CLOUDFLARE_EMAIL'];
  const key = env['CLOUDFLARE_API_KEY'];
  if (nonEmpty(email) && nonEmpty(key)) return { type: 'key', email: email.trim(), key: new Secret(key.trim()) };
  const half = nonEmpty(email) ? 'CLOUDFLARE_API_KEY is not set' : nonEmpty(key) ? 'CLOUDFLARE_EMAIL is not set' : '';
  throw new CfgitopsError(
    'E_CREDENTIALS_MISSING',
    `no Cloudflare credentials in the environment${half ? ` (${half})` : ''}`,
    {
      hint: 'set CLOUDFLARE_API_TOKEN to an API token (preferred), or both CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY',
    },
  );
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
  return createHash('sha256').update(material).digest('hex');
}
