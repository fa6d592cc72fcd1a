/**
 * The API base URL: `CLOUDFLARE_BASE_URL`, default `https://api.cloudflare.com/client/v4`.
 * Credentials travel in headers, so plain http is allowed only to loopback (the emulator, a local proxy).
 */
import { CfgitopsError } from '../errors.js';
import { isLoopbackHost } from '../loopback.js';
import type { Env } from './credentials.js';

export const DEFAULT_BASE_URL = 'https://api.cloudflare.com/client/v4';

export function baseUrlFromEnv(env: Env): URL {
  const raw = env['CLOUDFLARE_BASE_URL'];
  return checkBaseUrl(raw === undefined || raw.trim() === '' ? DEFAULT_BASE_URL : raw.trim());
}

/** Parses and checks a base URL; refuses anything that would send credentials in the clear or to a surprise. */
export function checkBaseUrl(raw: string | URL): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw new CfgitopsError('E_INSECURE_BASE_URL', `the Cloudflare base URL "${String(raw)}" is not a valid URL`, {
      hint: 'set CLOUDFLARE_BASE_URL to an https URL such as https://api.cloudflare.com/client/v4',
      cause,
    });
  }
  const shown = `${url.protocol}//${url.host}${url.pathname}`;
  if (url.username !== '' || url.password !== '') {
    throw new CfgitopsError('E_INSECURE_BASE_URL', `the Cloudflare base URL ${shown} embeds a user name or password`, {
      hint: 'credentials go in CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY), not in the URL',
    });
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw new CfgitopsError(
    'E_INSECURE_BASE_URL',
    `refusing the Cloudflare base URL ${shown}: ${url.protocol === 'http:' ? 'plain http to a non-loopback host would send credentials in the clear' : `unsupported protocol ${url.protocol}`}`,
    { hint: 'use https, or plain http only to 127.0.0.1 / ::1 / localhost (e.g. the emulator)' },
  );
}
