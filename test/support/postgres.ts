/**
 * A throwaway PostgreSQL cluster for integration tests: initdb + pg_ctl on a temp dir and a free loopback port, or the
 * server named by CFGITOPS_TEST_PG_URL when set. initdb refuses to run as root, so as root the cluster is created and
 * run as the `postgres` user (present wherever Debian's `postgresql` package is installed) through runuser.
 */
import { execFile as execFileCb } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFile = promisify(execFileCb);

export interface TestPostgres {
  /** Superuser URL with a password in it (trust auth ignores it; tests check it is never printed). */
  url: string;
  /** With `tls`: the PEM of the CA that signed the server certificate (the server then accepts TLS only). */
  ca?: string;
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Serve TLS only, with a certificate for 127.0.0.1 from a fresh CA. Not available with CFGITOPS_TEST_PG_URL. */
  tls?: boolean;
}

export const TEST_PG_PASSWORD = 'pw-never-printed-7d1f';

export async function startPostgres(startOptions: StartPostgresOptions = {}): Promise<TestPostgres> {
  const external = process.env['CFGITOPS_TEST_PG_URL'];
  if (external) return { url: external, stop: () => Promise.resolve() };

  const bin = findPostgresBin();
  const dir = await mkdtemp(join(tmpdir(), 'cfgitops-pg-'));
  const data = join(dir, 'data');
  const asUser = runAsUser();
  const ids = asUser
    ? {
        uid: Number((await execFile('id', ['-u', asUser])).stdout.trim()),
        gid: Number((await execFile('id', ['-g', asUser])).stdout.trim()),
      }
    : undefined;
  if (ids) await chown(dir, ids.uid, ids.gid);
  const run = (cmd: string, args: string[]) =>
    asUser ? execFile('runuser', ['-u', asUser, '--', join(bin, cmd), ...args]) : execFile(join(bin, cmd), args);

  await run('initdb', ['-D', data, '-U', 'cfgitops', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
  const ca = startOptions.tls ? await makeServerCertificate(data, ids) : undefined;
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c max_connections=100',
    ...(ca ? ['-c ssl=on'] : []),
  ].join(' ');
  await run('pg_ctl', ['start', '-D', data, '-w', '-t', '60', '-l', join(dir, 'server.log'), '-o', options]);
  return {
    url: `postgres://cfgitops:${TEST_PG_PASSWORD}@127.0.0.1:${port}/postgres`,
    ...(ca ? { ca } : {}),
    stop: async () => {
      await run('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A CA and a server certificate for 127.0.0.1 in the data dir; pg_hba then admits TLS connections only. */
async function makeServerCertificate(data: string, ids: { uid: number; gid: number } | undefined): Promise<string> {
  const f = (name: string) => join(data, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await execFile('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
    '-days',
    '2',
    '-subj',
    '/CN=cfgitops-test-ca',
  ]);
  await execFile('openssl', [
    'req',
    ...ec,
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
    '-subj',
    '/CN=127.0.0.1',
  ]);
  await writeFile(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  await execFile('openssl', [
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.crt'),
    '-days',
    '2',
    '-extfile',
    f('san.ext'),
  ]);
  await writeFile(f('pg_hba.conf'), 'local all all trust\nhostssl all all 127.0.0.1/32 trust\n');
  for (const name of ['server.key', 'server.crt', 'pg_hba.conf']) {
    await chmod(f(name), 0o600);
    if (ids) await chown(f(name), ids.uid, ids.gid);
  }
  return readFile(f('ca.crt'), 'utf8');
}

function findPostgresBin(): string {
  const candidates = (process.env['PATH'] ?? '').split(':').filter((p) => p !== '');
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  const found = candidates.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')));
  if (!found) {
    throw new Error(
      'PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin; ' +
        'install the `postgresql` package or set CFGITOPS_TEST_PG_URL',
    );
  }
  return found;
}

function runAsUser(): string | undefined {
  return userInfo().uid === 0 ? 'postgres' : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}
