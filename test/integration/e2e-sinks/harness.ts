/**
 * One desired-state repository with a token per sink type — file json, file dotenv, age files, age yaml, GitHub
 * repository and environment secrets, exec — wired to the test emulator, a GitHub loopback fake (behind a switchable
 * proxy that can answer 500s) and a fresh age key (test/support/age.ts). Readers get every value back the way a
 * user would (read the file, decrypt with the age identity, the fake's private key, the exec script's own store), so tests can
 * check them against the emulator's hashes of the current token values.
 */
import { useE2eWorld, type E2eWorld, type E2eWorldOptions } from '../../support/e2e-world.js';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ageDecrypt, ageKeygen, type AgeKey } from '../../support/age.js';
import type { TestEmulator } from '../../support/emulator.js';
import {
  startGitHubFake,
  startLoopbackServer,
  type GitHubFake,
  type LoopbackServer,
} from '../../support/github-fake.js';
import { EXAMPLE_ACCOUNT, type Workspace } from '../../support/workspace.js';

export const GITHUB_TOKEN = 'ghp_e2eSinkToken0123456789abcdefghijklmn';
export const GH_REPO = 'acme/app';
export const GH_ENV = 'prod';

/** Token metadata.name → [sink, key as configured]. The `local` sink is the default (no `secret:` block). */
export const TOKENS = {
  'json-token': ['local', undefined],
  'dotenv-token': ['dotenv', 'ci-deploy.token'],
  'age-files-token': ['age-files', 'deploy'],
  'age-yaml-token': ['age-yaml', 'reader'],
  'gh-repo-token': ['gh-repo', 'cf-api-token'],
  'gh-env-token': ['gh-env', 'cf-prod-token'],
  'exec-token': ['vault', 'cloudflare/exec'],
} as const satisfies Record<string, readonly [string, string | undefined]>;
export type TokenName = keyof typeof TOKENS;
export const TOKEN_NAMES = Object.keys(TOKENS) as TokenName[];

/**
 * GitHub's view of the fake: a proxy that forwards, or answers 500 while `failing` — to writes only (the public-key
 * GET a sink check makes still works) while `failingWrites`.
 */
export interface GitHubSide {
  fake: GitHubFake;
  proxy: LoopbackServer;
  failing: boolean;
  failingWrites: boolean;
  close(): Promise<void>;
}

export async function startGitHubSide(): Promise<GitHubSide> {
  const fake = await startGitHubFake({
    token: GITHUB_TOKEN,
    repositories: [GH_REPO],
    environments: { [GH_REPO]: [GH_ENV] },
  });
  const side: GitHubSide = {
    fake,
    proxy: await startLoopbackServer(async (req) => {
      if (side.failing || (side.failingWrites && req.method !== 'GET')) {
        return { status: 500, body: { message: 'Server Error' } };
      }
      const headers: Record<string, string> = {};
      for (const h of ['authorization', 'content-type', 'accept']) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      const res = await fetch(fake.url + req.path, {
        method: req.method,
        headers,
        ...(req.method === 'GET' ? {} : { body: req.body }),
      });
      const text = await res.text();
      return { status: res.status, ...(text === '' ? {} : { body: JSON.parse(text) as unknown }) };
    }),
    failing: false,
    failingWrites: false,
    close: async () => {
      await side.proxy.close();
      await fake.close();
    },
  };
  return side;
}

/**
 * The exec sink's program: stores the value (read from stdin only) in `vault.json` under CFGITOPS_SECRET_KEY, and
 * records each call's argv and environment and what the state file said about the token id at that moment. While
 * `vault-sealed` exists it refuses, exiting 1.
 */
export const VAULT_SCRIPT = `import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
const value = readFileSync(0, 'utf8');
const id = process.env.CFGITOPS_TOKEN_ID;
let recorded;
try {
  recorded = Object.values(JSON.parse(readFileSync('.cfgitops/state.json', 'utf8')).resources).find((r) => r.id === id);
  // Commits since the document was written are in its write-ahead log: one checksummed JSON record a line.
  const log = existsSync('.cfgitops/state.json.wal') ? readFileSync('.cfgitops/state.json.wal', 'utf8') : '';
  for (const line of log.split('\\n').filter(Boolean)) {
    for (const c of JSON.parse(line.slice(9)).changes) {
      if (c.type === 'put-resource' && c.resource.id === id) recorded = c.resource;
    }
  }
} catch {}
appendFileSync('vault-calls.jsonl', JSON.stringify({
  argv: process.argv, env: process.env, stdinLength: value.length,
  stateHadId: recorded !== undefined, valueStatus: recorded ? recorded.value_status : null,
}) + '\\n');
if (existsSync('vault-sealed')) { process.stderr.write('vault is sealed\\n'); process.exit(1); }
const all = existsSync('vault.json') ? JSON.parse(readFileSync('vault.json', 'utf8')) : {};
all[process.env.CFGITOPS_SECRET_KEY] = value;
writeFileSync('vault.json', JSON.stringify(all));
`;

export interface VaultCall {
  argv: string[];
  env: Record<string, string>;
  stdinLength: number;
  stateHadId: boolean;
  valueStatus: string | null;
}

export async function vaultCalls(ws: Workspace): Promise<VaultCall[]> {
  const text = await ws.read('vault-calls.jsonl').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as VaultCall);
}

export interface SinkSetup {
  gh: GitHubSide;
  age: AgeKey;
  /** Extra sinks (name → YAML flow mapping) and their tokens, for failure scenarios. */
  extraSinks?: Record<string, string>;
  /** Which tokens to declare (default: all of TOKENS). */
  tokens?: readonly TokenName[];
  extraTokens?: Record<string, [sink: string, key: string]>;
}

/** Writes the Config, the vault script and one token per sink into the workspace. */
export async function writeSinkRepo(ws: Workspace, setup: SinkSetup): Promise<void> {
  const url = setup.gh.proxy.url;
  const sinks: Record<string, string> = {
    local: '{ type: file, path: .cfgitops/secrets.json, format: json }',
    dotenv: '{ type: file, path: .cfgitops/tokens.env, format: dotenv }',
    'age-files': `{ type: age, path: secrets/tokens, layout: files, recipients: [${setup.age.recipient}] }`,
    'age-yaml': `{ type: age, path: secrets/tokens.yaml, layout: yaml, recipients: [${setup.age.recipient}] }`,
    'gh-repo': `{ type: github-actions, repository: ${GH_REPO}, apiUrl: "${url}" }`,
    'gh-env': `{ type: github-actions, repository: ${GH_REPO}, environment: ${GH_ENV}, apiUrl: "${url}" }`,
    vault: `{ type: exec, command: [${JSON.stringify(process.execPath)}, vault.mjs], timeoutSeconds: 60 }`,
    ...setup.extraSinks,
  };
  await ws.write(
    'desired-state/cfgitops.yaml',
    `apiVersion: cfgitops.dev/v1
kind: Config
spec:
  accounts:
    main: ${EXAMPLE_ACCOUNT}
  state:
    backend: file
    path: .cfgitops/state.json
  secrets:
    default: local
    sinks:
${Object.entries(sinks)
  .map(([name, body]) => `      ${name}: ${body}\n`)
  .join('')}  api:
    concurrency: 4
    retry:
      deadlineSeconds: 1
`,
  );
  const declared: [string, string, string | undefined][] = [
    ...(setup.tokens ?? TOKEN_NAMES).map((n): [string, string, string | undefined] => [n, ...TOKENS[n]]),
    ...Object.entries(setup.extraTokens ?? {}).map(([n, [s, k]]): [string, string, string] => [n, s, k]),
  ];
  await ws.write('desired-state/tokens.yaml', declared.map(([n, s, k]) => tokenManifest(n, s, k)).join('---\n'));
  await ws.write('vault.mjs', VAULT_SCRIPT);
}

function tokenManifest(name: string, sink: string, key: string | undefined): string {
  const secret = sink === 'local' && key === undefined ? '' : `  secret:\n    sink: ${sink}\n    key: ${key ?? name}\n`;
  return `apiVersion: cfgitops.dev/v1
kind: AccountToken
metadata:
  name: ${name}
  account: main
spec:
  name: e2e ${name}
  policies:
    - effect: allow
      permission_groups:
        - name: DNS Read
      resources:
        com.cloudflare.api.account.${EXAMPLE_ACCOUNT}: "*"
${secret}`;
}

/** `KEY='value'` lines as the file sink writes them (token values need no escapes). */
function parseDotenvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)='([^']*)'$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** Reads one token's value back from its sink, as its user would. Undefined when the sink has none. */
export async function readSinkValue(
  ws: Workspace,
  setup: Pick<SinkSetup, 'gh' | 'age'>,
  name: TokenName,
): Promise<string | undefined> {
  const opt = async <T>(f: () => Promise<T>): Promise<T | undefined> => f().catch(() => undefined);
  switch (name) {
    case 'json-token':
      return opt(async () => (JSON.parse(await ws.read('.cfgitops/secrets.json')) as Record<string, string>)[name]);
    case 'dotenv-token':
      return opt(async () => parseDotenvFile(await ws.read('.cfgitops/tokens.env'))['CI_DEPLOY_TOKEN']);
    case 'age-files-token':
      return opt(async () => ageDecrypt(setup.age, await readFile(join(ws.dir, 'secrets/tokens/deploy.age'), 'utf8')));
    case 'age-yaml-token':
      return opt(async () => {
        const doc = parseYaml(await ws.read('secrets/tokens.yaml')) as Record<string, string>;
        return doc['reader'] === undefined ? undefined : ageDecrypt(setup.age, doc['reader']);
      });
    case 'gh-repo-token':
      return setup.gh.fake.reveal(GH_REPO, 'CF_API_TOKEN');
    case 'gh-env-token':
      return setup.gh.fake.reveal(`${GH_REPO}:${GH_ENV}`, 'CF_PROD_TOKEN');
    case 'exec-token':
      return opt(async () => (JSON.parse(await ws.read('vault.json')) as Record<string, string>)['cloudflare/exec']);
  }
}

export async function readAllSinkValues(
  ws: Workspace,
  setup: Pick<SinkSetup, 'gh' | 'age'>,
  names: readonly TokenName[] = TOKEN_NAMES,
): Promise<Record<string, string | undefined>> {
  const entries = await Promise.all(names.map(async (n) => [n, await readSinkValue(ws, setup, n)] as const));
  return Object.fromEntries(entries);
}

/** Token id whose current value has this sha256 at the emulator, or undefined (not current / never minted). */
export async function currentTokenIdOf(emulator: TestEmulator, value: string): Promise<string | undefined> {
  const res = await emulator.control('GET', `/resources?account=${EXAMPLE_ACCOUNT}&secrets=1`);
  const tokens =
    (res.body as { accounts: Record<string, { tokens: { id: string; value_sha256: string }[] }> }).accounts[
      EXAMPLE_ACCOUNT
    ]?.tokens ?? [];
  const hash = createHash('sha256').update(value).digest('hex');
  return tokens.find((t) => t.value_sha256 === hash)?.id;
}

/** State records of tokens, by metadata.name. */
export interface StateToken {
  id: string;
  value_status?: string;
  sink?: { sink: string; key: string };
}

export async function stateTokens(ws: Workspace): Promise<Record<string, StateToken>> {
  const state = await ws.stateFile();
  const out: Record<string, StateToken> = {};
  for (const [key, r] of Object.entries(state.resources)) {
    if (r.kind === 'AccountToken') out[key.split('/').slice(2).join('/')] = r as unknown as StateToken;
  }
  return out;
}

/** Every file the repository would commit from the age sinks, as text. */
export async function ageCiphertexts(ws: Workspace): Promise<string[]> {
  const files = ['secrets/tokens/deploy.age', 'secrets/tokens.yaml'];
  return Promise.all(files.map((f) => readFile(join(ws.dir, f), 'utf8').catch(() => '')));
}

export interface SinkWorld extends E2eWorld {
  /** The GitHub fake (behind a switchable proxy) for this test. */
  readonly gh: GitHubSide;
  /** An age key pair made with the real age-keygen for this test. */
  readonly age: AgeKey;
}

/**
 * The shared e2e setup (test/support/e2e-world.ts) with what every sink test adds: an empty repository, a GitHub
 * fake and its token in the environment, and an age key pair — all fresh per test.
 */
export function useSinkWorld(options: Pick<E2eWorldOptions, 'setup' | 'beforeScan'> = {}): SinkWorld {
  let gh: GitHubSide | undefined;
  let age: AgeKey | undefined;
  const base = useE2eWorld({
    example: false,
    setup: async () => {
      gh = await startGitHubSide();
      base.ws.env['GITHUB_TOKEN'] = GITHUB_TOKEN;
      age = await ageKeygen(base.ws.dir);
      await options.setup?.();
    },
    ...(options.beforeScan ? { beforeScan: options.beforeScan } : {}),
    teardown: async () => {
      await gh?.close();
      gh = undefined;
    },
  });
  return Object.defineProperties(base as SinkWorld, {
    gh: { get: () => gh ?? fail('gh') },
    age: { get: () => age ?? fail('age') },
  });
}

function fail(what: string): never {
  throw new Error(`the sink world's ${what} exists only inside a test`);
}
