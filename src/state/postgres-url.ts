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

/**
 * A connection string from the Config is repository content — on a pull request, the PR author's choice. It gets
 * nothing from the machine: no password from PGPASSWORD or ~/.pgpass (the store passes its own password, see
 * `configuredPassword`), and no TLS files named in it (node-postgres reads `sslcert`/`sslkey`/`sslrootcert` paths
 * from the URL, i.e. any file the PR names). TLS settings go in `state.ssl`; credentials in CFGITOPS_PG_URL.
 */
export function checkConfiguredUrl(url: string): void {
  const param = /[?&\s]?(sslcert|sslkey|sslrootcert|sslcrl|sslpassword|passfile)\s*=/i.exec(url);
  if (param) {
    throw new CfgitopsError(
      'E_CONFIG',
      `state.url in the Config names ${param[1]!.toLowerCase()}: a file on this machine`,
      {
        hint: 'give TLS settings in state.ssl (ca as PEM text), or put the whole connection string in CFGITOPS_PG_URL',
      },
    );
  }
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
