import { describe, expect, test } from 'vitest';
import { baseUrlFromEnv, checkBaseUrl } from '../../../src/cloudflare/base-url.js';
import {
  authHeaders,
  credentialFingerprint,
  credentialsFromEnv,
  hasCredentials,
} from '../../../src/cloudflare/credentials.js';
import { CfgitopsError } from '../../../src/errors.js';
import { Secret } from '../../../src/secret.js';

const TOKEN = 'tok-0123456789abcdefghijklmnopqrstuvwxyzAB';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof CfgitopsError ? e.code : 'not a CfgitopsError';
  }
  return undefined;
}

describe('credentialsFromEnv', () => {
  test('GIVEN CLOUDFLARE_API_TOKEN WHEN read THEN a bearer credential wrapped in Secret', () => {
    const c = credentialsFromEnv({
      CLOUDFLARE_API_TOKEN: TOKEN,
      CLOUDFLARE_EMAIL: 'a@b.c',
      CLOUDFLARE_API_KEY: 'k'.repeat(37),
    });
    expect(c.type).toBe('token');
    expect(c.type === 'token' && c.token).toBeInstanceOf(Secret);
    expect(JSON.stringify(c)).not.toContain(TOKEN);
    expect(authHeaders(c)).toEqual({ authorization: `Bearer ${TOKEN}` });
  });

  test('GIVEN email and key WHEN read THEN the legacy headers', () => {
    const c = credentialsFromEnv({ CLOUDFLARE_EMAIL: 'a@b.c', CLOUDFLARE_API_KEY: 'k'.repeat(37) });
    expect(authHeaders(c)).toEqual({ 'x-auth-email': 'a@b.c', 'x-auth-key': 'k'.repeat(37) });
  });

  test.each([
    { env: {} },
    { env: { CLOUDFLARE_API_TOKEN: '  ' } },
    { env: { CLOUDFLARE_EMAIL: 'a@b.c' } },
    { env: { CLOUDFLARE_API_KEY: 'k'.repeat(37) } },
  ])('GIVEN $env WHEN read THEN E_CREDENTIALS_MISSING with a hint', ({ env }) => {
    expect(hasCredentials(env)).toBe(false);
    expect(codeOf(() => credentialsFromEnv(env))).toBe('E_CREDENTIALS_MISSING');
  });

  test.each([
    {
      what: 'a line break inside',
      env: { CLOUDFLARE_API_TOKEN: 'abcdefghij\nklmnopqrstuvwxyz' },
      variable: 'CLOUDFLARE_API_TOKEN',
    },
    { what: 'quotes', env: { CLOUDFLARE_API_TOKEN: `"${TOKEN}"` }, variable: 'CLOUDFLARE_API_TOKEN' },
    { what: 'a Bearer prefix', env: { CLOUDFLARE_API_TOKEN: `Bearer ${TOKEN}` }, variable: 'CLOUDFLARE_API_TOKEN' },
    {
      what: 'a space inside',
      env: { CLOUDFLARE_API_TOKEN: 'abcdefghij klmnopqrstuvwxyz' },
      variable: 'CLOUDFLARE_API_TOKEN',
    },
    { what: 'a NUL', env: { CLOUDFLARE_API_TOKEN: `${TOKEN}\u0000x` }, variable: 'CLOUDFLARE_API_TOKEN' },
    { what: 'too short', env: { CLOUDFLARE_API_TOKEN: 'abc' }, variable: 'CLOUDFLARE_API_TOKEN' },
    { what: 'too long', env: { CLOUDFLARE_API_TOKEN: 'a'.repeat(201) }, variable: 'CLOUDFLARE_API_TOKEN' },
    { what: 'non-ASCII', env: { CLOUDFLARE_API_TOKEN: `${TOKEN}é` }, variable: 'CLOUDFLARE_API_TOKEN' },
    {
      what: 'an email with a line break',
      env: { CLOUDFLARE_EMAIL: 'a@b.c\nX-Evil: 1', CLOUDFLARE_API_KEY: 'k'.repeat(37) },
      variable: 'CLOUDFLARE_EMAIL',
    },
    {
      what: 'an email without @',
      env: { CLOUDFLARE_EMAIL: 'someone', CLOUDFLARE_API_KEY: 'k'.repeat(37) },
      variable: 'CLOUDFLARE_EMAIL',
    },
    {
      what: 'a key with a control character',
      env: { CLOUDFLARE_EMAIL: 'a@b.c', CLOUDFLARE_API_KEY: `${'k'.repeat(20)}\u0007` },
      variable: 'CLOUDFLARE_API_KEY',
    },
    {
      what: 'a key with a space inside',
      env: { CLOUDFLARE_EMAIL: 'a@b.c', CLOUDFLARE_API_KEY: 'kkkkkkkkkk kkkkkkkkkk' },
      variable: 'CLOUDFLARE_API_KEY',
    },
  ])(
    'GIVEN $what WHEN read THEN E_CREDENTIALS_INVALID naming $variable with a hint, never the value',
    ({ env, variable }) => {
      let error: unknown;
      try {
        credentialsFromEnv(env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CfgitopsError);
      const e = error as CfgitopsError;
      expect(e.code).toBe('E_CREDENTIALS_INVALID');
      expect(e.message).toContain(variable);
      expect(e.hint).toBeTruthy();
      const value = (env as Record<string, string>)[variable]!;
      const printed = `${e.format()} ${JSON.stringify(e.toJSON())}`;
      for (const part of value.split(/\s+/).filter((p) => p.length >= 10)) expect(printed).not.toContain(part);
    },
  );

  test.each([
    { what: 'a 40-character token', token: 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0' },
    { what: 'a cfat_ token', token: `cfat_${'x'.repeat(40)}0a1b2c3d` },
    { what: 'a trailing newline', token: `${TOKEN}\n` },
  ])('GIVEN $what WHEN read THEN accepted', ({ token }) => {
    const c = credentialsFromEnv({ CLOUDFLARE_API_TOKEN: token });
    expect(c.type === 'token' && c.token.reveal()).toBe(token.trim());
  });

  test('GIVEN the same credential twice THEN the same fingerprint, which does not contain it', () => {
    const a = credentialFingerprint({ type: 'token', token: new Secret(TOKEN) });
    const b = credentialFingerprint({ type: 'token', token: new Secret(TOKEN) });
    const c = credentialFingerprint({ type: 'token', token: new Secret(`${TOKEN}x`) });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).not.toContain(TOKEN);
  });
});

describe('base URL', () => {
  test.each([
    'https://api.cloudflare.com/client/v4',
    'http://127.0.0.1:8787/client/v4',
    'http://127.5.6.7/client/v4',
    'http://localhost:1/client/v4',
    'http://[::1]:9/client/v4',
  ])('GIVEN %s WHEN checked THEN accepted', (url) => {
    expect(checkBaseUrl(url).href).toBe(new URL(url).href);
  });

  test.each([
    'http://api.cloudflare.com/client/v4',
    'http://10.0.0.1/client/v4',
    'http://localhost.evil.com/client/v4',
    'http://128.0.0.1/client/v4',
    'ftp://127.0.0.1/',
    'https://user:pw@api.cloudflare.com/client/v4',
    'not a url',
  ])('GIVEN %s WHEN checked THEN E_INSECURE_BASE_URL', (url) => {
    expect(codeOf(() => checkBaseUrl(url))).toBe('E_INSECURE_BASE_URL');
  });

  test('GIVEN no CLOUDFLARE_BASE_URL THEN the Cloudflare API', () => {
    expect(baseUrlFromEnv({}).href).toBe('https://api.cloudflare.com/client/v4');
  });
});
