/**
 * One attack's world: a temporary tree holding the pull request's repository (`repo/`, the working directory), a
 * HOME with credential files (`.pgpass`, `.netrc`, `.git-credentials`), files outside the repository holding
 * canaries (`outside/`), the only places a run may write (`allowed/`: the saved plan, the step summary and outputs),
 * TMPDIR, a PATH of shims that record being run, and a preload that records every child_process call of the CLI.
 * Every credential the job holds is a random canary, so any trace of one — in a request, a connection, an output or
 * a file — is found by value.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sniffers } from './sniffers.js';

export const BASELINE_DIR = fileURLToPath(new URL('./baseline/', import.meta.url));

/** Program names a pull request (or a bug) might run by name: each shim records that it ran, then fails. */
const SHIMS = [
  'sh',
  'bash',
  'git',
  'gh',
  'curl',
  'wget',
  'node',
  'npm',
  'npx',
  'python3',
  'psql',
  'age',
  'op',
  'vault',
  'ssh',
  'env',
];

export interface Canary {
  /** Where the value sits (an environment variable, a file). */
  label: string;
  value: string;
}

export interface Sandbox {
  root: string;
  repo: string;
  allowed: string;
  markers: string;
  preload: string;
  env: Record<string, string>;
  /** Every value that must never leave: the job's credentials, the files' secrets, the TSIG secrets. */
  secrets: Canary[];
  /** Text substitutions for fixture files: {{HTTP}}, {{PG_PORT}}, {{OUTSIDE}}, {{MARKERS}}, {{ACCOUNT}}, {{HOME}}. */
  vars: Record<string, string>;
  cleanup(): Promise<void>;
}

/** 48 hex digits: valid in a Cloudflare token, a base64 TSIG secret and a URL, and found by plain search. */
export function canaryValue(): string {
  return randomBytes(24).toString('hex');
}

export async function createSandbox(options: {
  sniffers: Sniffers;
  emulatorUrl: string;
  cfToken: string;
  trustedPgPort: number;
}): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), 'cfgitops-attack-'));
  const dirs = ['repo', 'home', 'outside', 'allowed', 'tmp', 'markers', 'shim'].map((d) => join(root, d));
  await Promise.all(dirs.map((d) => mkdir(d, { recursive: true })));
  const [repo, home, outside, allowed, tmp, markers, shim] = dirs as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const secrets: Canary[] = [];
  const canary = (label: string): string => {
    const value = canaryValue();
    secrets.push({ label, value });
    return value;
  };

  const pgPlanPassword = canary('CFGITOPS_PG_URL password');
  const databasePassword = canary('DATABASE_URL password');
  const env: Record<string, string> = {
    PATH: `${shim}:/usr/bin:/bin`,
    HOME: home,
    TMPDIR: tmp,
    CFGITOPS_LOG_LEVEL: 'debug',
    CLOUDFLARE_BASE_URL: options.emulatorUrl,
    CLOUDFLARE_API_TOKEN: options.cfToken,
    CLOUDFLARE_API_KEY: canary('CLOUDFLARE_API_KEY'),
    CLOUDFLARE_EMAIL: 'ops@example.com',
    CFGITOPS_PG_URL: `postgres://cfgitops_plan:${pgPlanPassword}@127.0.0.1:${options.trustedPgPort}/cfgitops`,
    DATABASE_URL: `postgres://app:${databasePassword}@127.0.0.1:${options.trustedPgPort}/app`,
    PGPASSWORD: canary('PGPASSWORD'),
    PGPASSFILE: join(home, '.pgpass'),
    GITHUB_TOKEN: canary('GITHUB_TOKEN'),
    GH_TOKEN: canary('GH_TOKEN'),
    ACTIONS_RUNTIME_TOKEN: canary('ACTIONS_RUNTIME_TOKEN'),
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: canary('ACTIONS_ID_TOKEN_REQUEST_TOKEN'),
    AWS_SECRET_ACCESS_KEY: canary('AWS_SECRET_ACCESS_KEY'),
    NPM_TOKEN: canary('NPM_TOKEN'),
    VAULT_TOKEN: canary('VAULT_TOKEN'),
    // A secret under a name on no credential list: what a TSIG fromEnv could still read.
    DEPLOY_KEY: canary('DEPLOY_KEY'),
    TSIG_NS1_SECRET: canary('TSIG_NS1_SECRET'),
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/infra',
    GITHUB_STEP_SUMMARY: join(allowed, 'summary.md'),
    GITHUB_OUTPUT: join(allowed, 'output'),
  };
  secrets.push({ label: 'CLOUDFLARE_API_TOKEN', value: options.cfToken });

  // What a CI machine holds on disk: libpq's password file, curl's netrc, git's credential store, and the token
  // actions/checkout leaves in .git/config.
  await writeFile(join(home, '.pgpass'), `*:*:*:*:${canary('~/.pgpass')}\n`, { mode: 0o600 });
  await writeFile(join(home, '.netrc'), `machine 127.0.0.1 login x password ${canary('~/.netrc')}\n`);
  await writeFile(
    join(home, '.git-credentials'),
    `https://x-access-token:${canary('~/.git-credentials')}@github.com\n`,
  );
  const checkout = canary('.git/config checkout token');
  const header = Buffer.from(`x-access-token:${checkout}`).toString('base64');
  secrets.push({ label: '.git/config extraheader', value: header });
  await mkdir(join(repo, '.git'), { recursive: true });
  await writeFile(
    join(repo, '.git/config'),
    `[core]\n\trepositoryformatversion = 0\n[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic ${header}\n`,
  );
  // A file an earlier step of the job wrote into the checkout, and a YAML file elsewhere on the machine.
  await writeFile(join(repo, '.env'), `DEPLOY_KEY=${canary('.env written by an earlier step')}\n`);
  await writeFile(
    join(outside, 'ci.yaml'),
    `apiVersion: cfgitops.dev/v1\nkind: AccountToken\nmetadata:\n  name: outside\n  account: main\nspec:\n  name: "${canary('outside/ci.yaml')}"\n  policies:\n    - effect: allow\n      permission_groups: [{name: Zone Read}]\n      resources: {"com.cloudflare.api.account.zone.*": "*"}\n`,
  );
  await writeFile(join(outside, 'tsig.key'), `${canary('outside/tsig.key')}\n`);
  await writeFile(join(outside, 'credentials.json'), `{"token": "${canary('outside/credentials.json')}"}\n`);
  await writeFile(join(outside, 'state.json'), `{"format_version": 1, "lineage": "${canary('outside/state.json')}"}\n`);

  for (const name of SHIMS) {
    const path = join(shim, name);
    await writeFile(path, `#!/bin/sh\necho "${name} $*" >> '${join(markers, `ran-${name}`)}'\nexit 97\n`);
    await chmod(path, 0o755);
  }
  const spawnLog = join(markers, 'child-process.log');
  const preload = join(root, 'preload.cjs');
  await writeFile(preload, preloadSource(spawnLog));

  const vars: Record<string, string> = {
    HTTP: options.sniffers.httpUrl,
    PG_PORT: String(options.sniffers.pgPort),
    OUTSIDE: outside,
    MARKERS: markers,
    HOME: home,
    ACCOUNT: randomBytes(16).toString('hex'),
    TSIG_KEY: canary('desired-state/keys/ns1.key'),
  };
  return {
    root,
    repo,
    allowed,
    markers,
    preload,
    env,
    secrets,
    vars,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/**
 * Wraps every child_process entry point before the CLI loads, so a spawn is recorded even if the program it names
 * does not exist (`syncBuiltinESMExports` makes `import { spawn } from 'node:child_process'` see the wrapper).
 */
function preloadSource(log: string): string {
  return `'use strict';
const cp = require('node:child_process');
const fs = require('node:fs');
for (const fn of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  const original = cp[fn];
  cp[fn] = function (...args) {
    fs.appendFileSync(${JSON.stringify(log)}, fn + ' ' + JSON.stringify(args[0]) + '\\n');
    return original.apply(this, args);
  };
}
require('node:module').syncBuiltinESMExports();
`;
}

/** Copies a fixture tree into the repository, filling in {{VARS}}. */
export async function copyFixture(from: string, to: string, vars: Record<string, string>): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    const dest = join(to, entry.name);
    if (entry.isDirectory()) {
      await mkdir(dest, { recursive: true });
      await copyFixture(src, dest, vars);
    } else {
      await mkdir(dirname(dest), { recursive: true });
      await writeFile(dest, fill(await readFile(src, 'utf8'), vars));
      if (entry.name.endsWith('.sh')) await chmod(dest, 0o755);
    }
  }
}

export function fill(text: string, vars: Record<string, string>): string {
  return text.replace(/\{\{([A-Z_]+)\}\}/g, (whole, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new Error(`unknown fixture variable ${whole}`);
    return v;
  });
}

export async function addSymlinks(
  repo: string,
  links: Record<string, string>,
  vars: Record<string, string>,
): Promise<void> {
  for (const [at, target] of Object.entries(links)) {
    const path = join(repo, at);
    await mkdir(dirname(path), { recursive: true });
    await rm(path, { force: true, recursive: true });
    await symlink(fill(target, vars), path);
  }
}
