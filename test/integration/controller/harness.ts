/**
 * Controllers as users run them: the built CLI as a child process (SIGTERM and SIGKILL are real), talking to the
 * test emulator over loopback, with a real git repository in the workspace. Every byte a controller prints and
 * every /status and /metrics body a test reads is kept for the e2e world's secret scan.
 */
import { execFile as execFileCb } from 'node:child_process';
import { cp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnCli, waitFor, type SpawnedCli } from '../../support/cli.js';
import { parsePrometheusText, sampleValue, type PromFamily } from '../../support/prometheus-text.js';
import { EXAMPLE_DIR, type Workspace } from '../../support/workspace.js';

const execFile = promisify(execFileCb);

export interface GitRemote {
  /** `file://…/remote.git` */
  url: string;
  /** Changes the working copy, commits and pushes; returns the new commit. */
  push(message: string, change: (work: string) => Promise<void>): Promise<string>;
}

/** A bare repository holding the example manifests under desired-state/, one commit on main. */
export async function gitRemote(ws: Workspace): Promise<GitRemote> {
  const bare = join(ws.dir, 'remote.git');
  const work = join(ws.dir, 'work');
  const git = async (cwd: string, ...args: string[]): Promise<string> =>
    (
      await execFile('git', args, {
        cwd,
        env: {
          PATH: process.env['PATH'],
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@example.com',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@example.com',
          GIT_CONFIG_NOSYSTEM: '1',
          HOME: ws.dir,
        },
      })
    ).stdout.trim();
  await git(ws.dir, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  await git(ws.dir, 'init', '--quiet', '--initial-branch=main', work);
  await mkdir(join(work, 'desired-state'), { recursive: true });
  const push: GitRemote['push'] = async (message, change) => {
    await change(work);
    await git(work, 'add', '-A');
    await git(work, 'commit', '--quiet', '-m', message);
    await git(work, 'push', '--quiet', bare, 'HEAD:refs/heads/main');
    return git(work, 'rev-parse', 'HEAD');
  };
  await push('example manifests', (dir) => cp(EXAMPLE_DIR, join(dir, 'desired-state'), { recursive: true }));
  return { url: `file://${bare}`, push };
}

export interface RunningController {
  url: string;
  spawned: SpawnedCli;
  status(): Promise<ControllerStatus>;
  /** GET /metrics, parsed strictly (test/support/prometheus-text.ts): a malformed exposition fails the test. */
  metrics(): Promise<PromFamily[]>;
  /** The value of one sample by its own name (a histogram's `…_count`), 0 when that series is absent. */
  sample(families: PromFamily[], name: string, labels?: Record<string, string>): number;
  post(path: string, body: string, headers?: Record<string, string>): Promise<{ status: number; body: unknown }>;
  get(path: string): Promise<{ status: number; body: unknown }>;
}

export interface ControllerStatus {
  role: string;
  revision?: string;
  consecutiveFailures: number;
  lastCycle?: {
    cycle: number;
    result: string;
    trigger: string;
    revision?: string;
    drifted: number;
    pending: number;
    errors: { code: string }[];
    suspended: { config: boolean; resources: string[] };
  };
}

export async function startController(
  ws: Workspace,
  args: readonly string[],
  outputs: string[],
  env: Record<string, string | undefined> = {},
): Promise<RunningController> {
  const spawned = spawnCli(['controller', '--listen', '127.0.0.1:0', ...args], {
    cwd: ws.dir,
    env: { ...ws.env, ...env },
  });
  let url = '';
  await waitFor(() => {
    const m = /serving (http:\/\/\S+)/.exec(spawned.stdout());
    if (m) url = m[1]!;
    if (spawned.child.exitCode !== null) throw new Error(`controller exited: ${spawned.stderr()}`);
    return url !== '';
  }, 'the controller to listen');
  // Kept for the secret scan (read at scan time, so everything printed until then is included).
  outputs.push('');
  const slot = outputs.length - 1;
  void spawned.exited.then(() => {
    outputs[slot] = spawned.stdout() + spawned.stderr();
  });
  const seen = new Set<string>();
  const keep = (text: string): string => {
    if (!seen.has(text)) {
      seen.add(text);
      outputs.push(text);
    }
    return text;
  };
  const request = async (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
    const res = await fetch(url + path, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = keep(await res.text());
    return { status: res.status, text };
  };
  return {
    url,
    spawned,
    status: async () => JSON.parse((await request('GET', '/status')).text) as ControllerStatus,
    metrics: async () => parsePrometheusText((await request('GET', '/metrics')).text),
    sample: sampleValue,
    post: async (path, body, headers = {}) => {
      const r = await request('POST', path, body, headers);
      return { status: r.status, body: JSON.parse(r.text) as unknown };
    },
    get: async (path) => {
      const r = await request('GET', path);
      return { status: r.status, body: JSON.parse(r.text) as unknown };
    },
  };
}

/** SIGTERM, and the exit it ends in. */
export async function stopController(
  c: RunningController,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (c.spawned.child.exitCode === null && c.spawned.child.signalCode === null) c.spawned.child.kill('SIGTERM');
  return c.spawned.exited;
}

export async function waitForCycle(
  c: RunningController,
  check: (s: ControllerStatus) => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<ControllerStatus> {
  let last: ControllerStatus | undefined;
  await waitFor(
    async () => {
      last = await c.status();
      return check(last);
    },
    what,
    timeoutMs,
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}; last status: ${JSON.stringify(last)}; stderr: ${c.spawned.stderr().slice(-3000)}`);
  });
  return last!;
}
