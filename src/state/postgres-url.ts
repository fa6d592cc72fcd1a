/**
 * Where the PostgreSQL state lives, and how to name it without its password.
 */
import { CfgitopsError } from '../errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Config first, then `CFGITOPS_PG_URL`, then `DATABASE_URL`. */
export function resolvePostgresUrl(configured: string | undefined, env: Env): string {
  const url = configured ?? env['CFGITOPS_PG_URL'] ?? env['DATABASE_URL'];
  if (url === undefined || url === '') {
    throw new CfgitopsError('E_CONFIG', 'the postgres state backend has no connection string', {
      hint: 'set state.url in the Config, or CFGITOPS_PG_URL or DATABASE_URL in the environment',
    });
  }
  return url;
}

/** `postgres://user:***@host/db` — also for libpq `key=value` strings. Never returns a password. */
export function redactConnectionString(url: string): string {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    try {
      const parsed = new URL(url);
      if (parsed.password !== '') parsed.password = '***';
      for (const key of [...parsed.searchParams.keys()]) {
        if (/pass|secret|key$/i.test(key)) parsed.searchParams.set(key, '***');
      }
      return parsed.toString();
    } catch {
      return 'postgres://(unparseable connection string)';
    }
  }
  return url.replace(/(password\s*=\s*)('([^'\\]|\\.)*'|\S+)/gi, '$1***');
}

/** The password inside a connection string, so error texts from the driver can be scrubbed of it. */
export function connectionPassword(url: string): string | undefined {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    try {
      const password = decodeURIComponent(new URL(url).password);
      return password === '' ? undefined : password;
    } catch {
      return undefined;
    }
  }
  const m = /password\s*=\s*('((?:[^'\\]|\\.)*)'|\S+)/i.exec(url);
  return m ? (m[2] ?? m[1]) : undefined;
}
