/**
 * Plays one attack: builds its sandbox (sandbox.ts), lays the baseline repository and — when the attack needs an
 * applied history — applies it, then copies the pull request's files over it and runs the BUILT CLI's `validate`,
 * `plan` and `drift` as child processes. It returns what was observed; attack-suite.test.ts asserts on it.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { CLI_BIN } from '../../support/cli.js';
import type { TestEmulator } from '../../support/emulator.js';
import { addSymlinks, BASELINE_DIR, copyFixture, createSandbox, fill, type Canary, type Sandbox } from './sandbox.js';
import { startSniffers, type HttpCapture } from './sniffers.js';

export const ATTACKS_DIR = fileURLToPath(new URL('./attacks/', import.meta.url));
const PROJECT_DIR = fileURLToPath(new URL('../../../', import.meta.url));

export const COMMANDS = ['validate', 'plan', 'plan-text', 'drift', 'plan-emulator'] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface AttackSpec {
  /** One line: what the pull request tries. */
  description: string;
  /** Apply the baseline first (as main would have), so the PR changes something already applied. */
  applyBaseline?: boolean;
  /** Repository path → link target ({{VARS}} filled in). */
  symlinks?: Record<string, string>;
  /** Default: validate, plan, drift. */
  commands?: CommandName[];
  /** The attack points state.url at the fake PostgreSQL: a connection is expected, a credential on it is not. */
  allowPgConnection?: boolean;
  /** Exit codes some commands must end with (e.g. 0: the attack's manifests were planned, not refused). */
  exit?: Partial<Record<CommandName, number>>;
  /** Codes (E_…, W_…) that must appear in each command's output: proof the attack reached the defence it tests. */
  expect?: Partial<Record<CommandName, string[]>>;
  /**
   * Env vars ({{VARS}} filled in) to run every command again with: each output must be the same as the first run's
   * (timestamps and digests aside). Proof a variable is never read: e.g. DEPLOY_KEY once a canary and once equal to
   * the live TSIG secret (no oracle), or empty (a read would fail with E_SECRET_ENV_MISSING).
   */
  sameOutputWhenEnv?: Record<string, string>;
}

export interface Attack {
  name: string;
  dir: string;
  spec: AttackSpec;
}

export interface CommandRun {
  command: CommandName;
  argv: string[];
  code: number | null;
  stdout: string;
  stderr: string;
  /** Codes found in the output. */
  codes: string[];
}

export interface Observation {
  runs: CommandRun[];
  http: HttpCapture[];
  /** Bytes each TCP connection to the fake PostgreSQL sent. */
  pg: Buffer[];
  /** Files added, removed or changed outside the allowed outputs (the temp tree and the project). */
  written: string[];
  /** child_process calls and shims that ran. */
  spawned: string[];
  /** `label → where`: every secret found in an output, an allowed file, a request or a connection. */
  leaks: string[];
  /** Output lines that are workflow commands cfgitops does not issue (an injection through manifest text). */
  injected: string[];
  /** Commands whose --format json stdout is not exactly one JSON document. */
  badJson: string[];
  /** Commands whose output changed when run again with `sameOutputWhenEnv` (what an oracle would need). */
  oracle: string[];
}

export async function listAttacks(): Promise<Attack[]> {
  const names = (await readdir(ATTACKS_DIR, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  return Promise.all(
    names.sort().map(async (name) => {
      const dir = join(ATTACKS_DIR, name);
      const spec = parse(await readFile(join(dir, 'attack.yaml'), 'utf8')) as AttackSpec;
      return { name, dir, spec };
    }),
  );
}

// A hang guard only: on a loaded machine a run can take many seconds.
const RUN_TIMEOUT_MS = 120_000;

function argvFor(command: CommandName, allowed: string): string[] {
  switch (command) {
    case 'validate':
      return ['validate', 'desired-state', '--github'];
    case 'plan':
      return ['plan', 'desired-state', '--format', 'json', '--out', join(allowed, 'cfgitops.plan'), '--github'];
    case 'plan-text':
      return ['plan', 'desired-state', '--github'];
    case 'drift':
      return ['drift', 'desired-state', '--format', 'json'];
    case 'plan-emulator':
      return ['plan', 'desired-state', '--emulator', '--format', 'markdown', '--github'];
  }
}

export function runBuiltCli(
  argv: readonly string[],
  sandbox: Pick<Sandbox, 'repo' | 'env'>,
  preload?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(preload ? ['--require', preload] : []), CLI_BIN, ...argv], {
      cwd: sandbox.repo,
      env: sandbox.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export async function playAttack(attack: Attack, emulator: TestEmulator, trustedPgPort: number): Promise<Observation> {
  const sniffers = await startSniffers();
  const sandbox = await createSandbox({
    sniffers,
    emulatorUrl: emulator.baseUrl,
    cfToken: emulator.apiToken,
    trustedPgPort,
  });
  try {
    await copyFixture(BASELINE_DIR, sandbox.repo, sandbox.vars);
    if (attack.spec.applyBaseline === true) {
      const applied = await runBuiltCli(['apply', 'desired-state', '--auto-approve'], sandbox);
      if (applied.code !== 0) throw new Error(`the baseline apply failed:\n${applied.stdout}\n${applied.stderr}`);
      const sink = JSON.parse(await readFile(join(sandbox.repo, '.cfgitops/secrets.json'), 'utf8')) as Record<
        string,
        string
      >;
      for (const [key, value] of Object.entries(sink)) sandbox.secrets.push({ label: `token value ${key}`, value });
    }
    if (await exists(join(attack.dir, 'repo'))) await copyFixture(join(attack.dir, 'repo'), sandbox.repo, sandbox.vars);
    await addSymlinks(sandbox.repo, attack.spec.symlinks ?? {}, sandbox.vars);
    const known = (await emulator.control('GET', '/secrets')).body as { secrets: ({ value: string } | string)[] };
    for (const s of known.secrets)
      sandbox.secrets.push({ label: 'a secret the emulator holds', value: typeof s === 'string' ? s : s.value });
    sniffers.reset();

    const before = await snapshot(sandbox);
    const runs: CommandRun[] = [];
    for (const command of attack.spec.commands ?? ['validate', 'plan', 'drift']) {
      const argv = argvFor(command, sandbox.allowed);
      const r = await runBuiltCli(argv, sandbox, sandbox.preload);
      runs.push({
        command,
        argv,
        ...r,
        codes: [...new Set(`${r.stdout}\n${r.stderr}`.match(/\b[EW]_[A-Z_]+\b/g) ?? [])].sort(),
      });
    }
    // Again with the variant env, before the after-snapshot: these runs must not write anything either.
    const variant = attack.spec.sameOutputWhenEnv;
    const oracle: string[] = [];
    const variantRuns: { where: string; text: string }[] = [];
    if (variant !== undefined) {
      const filled = Object.entries(variant).map(([k, v]) => [k, fill(v, sandbox.vars)] as const);
      const env = { ...sandbox.env, ...Object.fromEntries(filled) };
      for (const first of runs) {
        const again = await runBuiltCli(first.argv, { repo: sandbox.repo, env }, sandbox.preload);
        if (again.code !== first.code || comparable(again) !== comparable(first)) oracle.push(first.command);
        variantRuns.push({ where: `${first.command} (variant env) output`, text: `${again.stdout}\n${again.stderr}` });
      }
    }
    const after = await snapshot(sandbox);
    const allowedOutputs = await readAllowed(sandbox.allowed);
    return {
      runs,
      http: [...sniffers.http],
      pg: [...sniffers.pg],
      written: diffSnapshots(before, after),
      spawned: await readSpawned(sandbox.markers),
      leaks: findLeaks(sandbox.secrets, [
        ...runs.flatMap((r) => [
          { where: `${r.command} stdout`, text: r.stdout },
          { where: `${r.command} stderr`, text: r.stderr },
        ]),
        ...allowedOutputs,
        ...variantRuns,
        ...sniffers.http.map((h, i) => ({ where: `HTTP request #${i} to the listener`, text: JSON.stringify(h) })),
        ...sniffers.pg.map((b, i) => ({
          where: `connection #${i} to the fake PostgreSQL`,
          text: b.toString('latin1'),
        })),
      ]),
      injected: runs.flatMap((r) =>
        `${r.stdout}\n${r.stderr}`
          .split(/\r?\n/)
          .filter((line) => line.startsWith('::') && !/^::(error|warning|notice)( [^\r\n]*)?::/.test(line))
          .map((line) => `${r.command}: ${line}`),
      ),
      badJson: runs.filter((r) => r.argv.includes('json') && !isOneJsonDocument(r.stdout)).map((r) => r.command),
      oracle,
    };
  } finally {
    await sniffers.close();
    await sandbox.cleanup();
  }
}

/** A run's output without what differs between any two runs: times, durations, digests (salted pins). */
function comparable(r: { stdout: string; stderr: string }): string {
  return `${r.stdout}\n${r.stderr}`
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'TIME')
    .replace(/[0-9a-f]{64}/g, 'DIGEST')
    .replace(/\b\d+(\.\d+)? ?m?s\b/g, 'DURATION')
    .replace(/"(time|ms)":\d+/g, '"$1":N');
}

function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

function isOneJsonDocument(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null;
  } catch {
    return false;
  }
}

/** A secret is found as itself, base64, or URL-encoded. The hit names the secret's label, never the value. */
export function findLeaks(secrets: readonly Canary[], texts: readonly { where: string; text: string }[]): string[] {
  const hits = new Set<string>();
  for (const s of secrets) {
    if (s.value.length < 8) continue;
    const forms = [s.value, Buffer.from(s.value).toString('base64'), encodeURIComponent(s.value)];
    for (const t of texts) if (forms.some((f) => t.text.includes(f))) hits.add(`${s.label} in ${t.where}`);
  }
  return [...hits].sort();
}

async function readAllowed(dir: string): Promise<{ where: string; text: string }[]> {
  const out: { where: string; text: string }[] = [];
  for (const name of await readdir(dir))
    out.push({ where: `allowed/${name}`, text: await readFile(join(dir, name), 'utf8') });
  return out;
}

async function readSpawned(markers: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(markers)) {
    out.push(
      ...(await readFile(join(markers, name), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => `${name}: ${l}`),
    );
  }
  return out;
}

type Snapshot = Map<string, string>;

/**
 * Every file of the temp tree (content hash; symlinks by target) except the places a run may write, and the
 * project's own files (size and mtime; node_modules and .git skipped: nothing in them is a read path of the CLI's).
 */
async function snapshot(sandbox: Sandbox): Promise<Snapshot> {
  const out: Snapshot = new Map();
  await walk(sandbox.root, sandbox.root, out, (rel) => rel === 'allowed' || rel === 'markers', true);
  for (const top of ['bin', 'dist', 'schemas', 'desired-state', 'package.json']) {
    await walk(PROJECT_DIR, join(PROJECT_DIR, top), out, () => false, false);
  }
  return out;
}

async function walk(
  base: string,
  path: string,
  out: Snapshot,
  skip: (rel: string) => boolean,
  hash: boolean,
): Promise<void> {
  const rel = relative(base, path);
  if (rel !== '' && skip(rel)) return;
  let st;
  try {
    st = await lstat(path);
  } catch {
    return;
  }
  const key = `${base === PROJECT_DIR ? 'project' : 'tmp'}/${rel}`;
  if (st.isSymbolicLink()) {
    out.set(key, `-> ${await readlink(path)}`);
  } else if (st.isDirectory()) {
    out.set(key, 'dir');
    for (const name of await readdir(path)) await walk(base, join(path, name), out, skip, hash);
  } else {
    out.set(
      key,
      hash
        ? createHash('sha256')
            .update(await readFile(path))
            .digest('hex')
        : `${st.size}:${st.mtimeMs}:${st.mode}`,
    );
  }
}

function diffSnapshots(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  for (const [k, v] of after) {
    const was = before.get(k);
    if (was === undefined) out.push(`added ${k}`);
    else if (was !== v) out.push(`changed ${k}`);
  }
  for (const k of before.keys()) if (!after.has(k)) out.push(`removed ${k}`);
  return out.sort();
}
