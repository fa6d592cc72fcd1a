/**
 * A throwaway desired-state repository wired to a test emulator: a temp dir holding a copy of the example
 * manifests (or the test's own), and the environment that points the CLI at the emulator as if it were Cloudflare.
 */
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../src/effects.js';
import { createFileStateStore } from '../../src/state/file-state-store.js';
import type { StateDocument } from '../../src/state/types.js';
import type { TestEmulator } from './emulator.js';

export const EXAMPLE_DIR = fileURLToPath(new URL('../../desired-state', import.meta.url));
/** The account id the example manifests use (alias `main`). */
export const EXAMPLE_ACCOUNT = '0123456789abcdef0123456789abcdef';
/** The zone the example links (alias `example.com` in desired-state/cfgitops.yaml), secondary at Cloudflare. */
export const EXAMPLE_ZONE = { id: '00112233445566778899aabbccddeeff', name: 'example.com', type: 'secondary' } as const;

/**
 * Creates the example's zone at a test emulator (they route unknown zones nowhere, unlike the embedded one, which
 * creates a zone on its first transfer configuration): a team's zone exists before cfgitops links it.
 */
export async function createExampleZone(emulator: TestEmulator): Promise<void> {
  const r = await emulator.control('POST', '/zones', { account: EXAMPLE_ACCOUNT, ...EXAMPLE_ZONE });
  if (r.status !== 200) throw new Error(`creating the example zone: ${r.status} ${JSON.stringify(r.body)}`);
}

export interface Workspace {
  dir: string;
  env: Record<string, string | undefined>;
  /** Writes a file under the workspace (relative path). */
  write(path: string, text: string): Promise<void>;
  read(path: string): Promise<string>;
  /** Token values in the default file sink, by key. */
  sinkValues(): Promise<Record<string, string>>;
  stateFile(): Promise<StateFileShape>;
  cleanup(): Promise<void>;
}

export interface StateFileShape {
  lineage: string;
  serial: number;
  resources: Record<
    string,
    {
      id: string;
      kind: string;
      value_status?: string;
      complete?: boolean;
      sink?: { sink?: string; key: string };
      prevent_destroy?: boolean;
      secret_ref?: { fromEnv: string } | { fromFile: string };
    }
  >;
  pending: Record<string, unknown>;
}

/** The state a plan would read: state.json with its write-ahead log folded in. */
export function readFileState(path: string): Promise<StateDocument> {
  const common = { clock: systemClock, random: Math.random, hostname: hostname(), pid: process.pid, owner: 'test' };
  return createFileStateStore({ ...common, path }).read();
}

export async function createWorkspace(emulator: TestEmulator, options: { example?: boolean } = {}): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'cfgitops-e2e-'));
  if (options.example !== false) {
    await cp(EXAMPLE_DIR, join(dir, 'desired-state'), { recursive: true });
    await createExampleZone(emulator);
  }
  const ws: Workspace = {
    dir,
    env: {
      CLOUDFLARE_API_TOKEN: emulator.apiToken,
      CLOUDFLARE_BASE_URL: emulator.baseUrl,
      CFGITOPS_LOG_LEVEL: 'info',
      PATH: process.env['PATH'],
    },
    write: async (path, text) => {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    },
    read: (path) => readFile(join(dir, path), 'utf8'),
    sinkValues: async () => {
      try {
        return JSON.parse(await readFile(join(dir, '.cfgitops/secrets.json'), 'utf8')) as Record<string, string>;
      } catch {
        return {};
      }
    },
    // Through the file store: between two commits of a run (or after one was killed) the latest commits are in the
    // write-ahead log beside state.json, and only a reader that folds it sees them.
    stateFile: () => readFileState(join(dir, '.cfgitops/state.json')),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  return ws;
}

/**
 * Every token value in the sink must be the token's current value at the emulator. Checked by hash through the
 * control API (tokens with an IP condition cannot call /verify from loopback, as at Cloudflare). Returns key → id.
 */
export async function verifySinkValues(
  emulator: TestEmulator,
  ws: Workspace,
  account = EXAMPLE_ACCOUNT,
): Promise<Record<string, string>> {
  const values = await ws.sinkValues();
  const res = await emulator.control('GET', `/resources?account=${account}&secrets=1`);
  const tokens =
    (res.body as { accounts: Record<string, { tokens: { id: string; value_sha256: string }[] }> }).accounts[account]
      ?.tokens ?? [];
  const ids: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    const hash = createHash('sha256').update(value).digest('hex');
    const token = tokens.find((t) => t.value_sha256 === hash);
    if (!token) throw new Error(`the sink value under ${key} is not the current value of any token`);
    ids[key] = token.id;
  }
  return ids;
}

/** Live resources of one account, as the emulator holds them. */
export async function liveResources(
  emulator: TestEmulator,
  account = EXAMPLE_ACCOUNT,
): Promise<{
  tokens: { id: string; name: string; status: string }[];
  peers: { id: string; name: string; ip?: string; tsig_id?: string }[];
  tsigs: { id: string; name: string }[];
}> {
  const res = await emulator.control('GET', `/resources?account=${account}`);
  const acc = ((res.body as { accounts: Record<string, unknown> }).accounts[account] ?? {}) as {
    tokens?: never[];
    peers?: never[];
    tsigs?: never[];
  };
  return { tokens: acc.tokens ?? [], peers: acc.peers ?? [], tsigs: acc.tsigs ?? [] };
}
