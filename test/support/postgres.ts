/**
 * A throwaway PostgreSQL cluster for integration tests: initdb + pg_ctl on a temp dir and a free loopback port, or the
 * server named by CFGITOPS_TEST_PG_URL when set. initdb refuses to run as root, so as root the cluster is created and
 * run as the `postgres` user (present wherever Debian's `postgresql` package is installed) through runuser.
 */
import { execFile as execFileCb } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFile = promisify(execFileCb);

export interface TestPostgres {
  /** Superuser URL with a password in it (trust auth ignores it; tests check it is never printed). */
  url: string;
  stop(): Promise<void>;
}

export const TEST_PG_PASSWORD = 'pw-never-printed-7d1f';

export async function startPostgres(): Promise<TestPostgres> {
  const external = process.env['CFGITOPS_TEST_PG_URL'];
  if (external) return { url: external, stop: () => Promise.resolve() };

  const bin = findPostgresBin();
  const dir = await mkdtemp(join(tmpdir(), 'cfgitops-pg-'));
  const data = join(dir, 'data');
  const asUser = runAsUser();
  if (asUser) {
    const { stdout } = await execFile('id', ['-u', asUser]);
    const { stdout: gid } = await execFile('id', ['-g', asUser]);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const run = (cmd: string, args: string[]) =>
    asUser ? execFile('runuser', ['-u', asUser, '--', join(bin, cmd), ...args]) : execFile(join(bin, cmd), args);

  await run('initdb', ['-D', data, '-U', 'cfgitops', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c max_connections=100',
  ].join(' ');
  await run('pg_ctl', ['start', '-D', data, '-w', '-t', '60', '-l', join(dir, 'server.log'), '-o', options]);
  return {
    url: `postgres://cfgitops:${TEST_PG_PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await run('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
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
