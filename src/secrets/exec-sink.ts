/**
 * Hands the value to a command of the user's choosing (`vault kv put … value=-`, `gh secret set NAME`, …): argv with
 * no shell, the value on stdin only, metadata in CFGITOPS_* env vars. Never the value in argv or the environment,
 * where `ps` and `/proc` would show it. The command gets cfgitops' environment minus cfgitops' own credentials
 * (Cloudflare, PostgreSQL, the GitHub sinks' tokens): a sink command needs its own (VAULT_TOKEN, …), and one that
 * logs or forwards its environment must not leak the keys to the whole account. `inheritEnv` opts some back in.
 */
import type { spawn as nodeSpawn } from 'node:child_process';
import { constants } from 'node:fs';
import { delimiter, isAbsolute, resolve } from 'node:path';
import { CfgitopsError } from '../errors.js';
import type { Clock, Logger } from '../effects.js';
import type { Secret } from '../secret.js';
import type { SinkRef } from '../state/types.js';
import type { SinkFileSystem } from './sink-deps.js';
import { SinkError, scrubValue } from './sink-error.js';
import type { SecretSink, SinkCheckResult, TokenMetadata } from './types.js';

export interface ExecSinkOptions {
  name: string;
  command: readonly string[];
  timeoutSeconds: number;
  env: Readonly<Record<string, string | undefined>>;
  /** Variables of `env` the command must not see (cfgitops' credentials). */
  withheldEnv: readonly string[];
  /** Of those, the ones the config says the command receives anyway. */
  inheritEnv: readonly string[];
  cwd: string;
  fs: SinkFileSystem;
  spawn: typeof nodeSpawn;
  clock: Clock;
  log: Logger;
}

/** Enough stderr to explain a failure; the rest is dropped (and never buffered without bound). */
const STDERR_KEEP = 2000;
const STDERR_SHOW = 500;

const PUT_HINT = 'run the command by hand to see why; the next apply rolls the token and delivers the new value';
const REMOVE_HINT =
  'make the command handle CFGITOPS_SINK_ACTION=remove (docs/sinks.md) or delete the old value by hand; state keeps it as stale_sinks and the next apply tries again';

interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  timedOut: boolean;
}

export class ExecSink implements SecretSink {
  readonly type = 'exec';
  readonly name: string;
  readonly #o: ExecSinkOptions;

  constructor(o: ExecSinkOptions) {
    if (o.command.length === 0 || o.command[0] === '') {
      throw new CfgitopsError('E_CONFIG', `exec sink "${o.name}": command must name a program`);
    }
    this.name = o.name;
    this.#o = o;
  }

  describe(ref: SinkRef): string {
    return `exec ${this.#o.command[0] ?? ''} (key ${ref.key})`;
  }

  async put(ref: SinkRef, token: TokenMetadata, value: Secret): Promise<void> {
    const plain = value.reveal();
    let result: RunResult;
    try {
      result = await this.#run(ref, token, 'put', plain);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'command not found'
          : code === 'EACCES'
            ? 'command not executable'
            : (code ?? 'spawn failed');
      throw this.#fail(ref, `cannot start ${this.#o.command[0] ?? ''}: ${why}`);
    }
    if (!result.timedOut && result.exitCode === 0) {
      this.#o.log.debug({ sink: this.name, key: ref.key, tokenName: token.name }, 'stored token value');
      return;
    }
    const how = result.timedOut
      ? `timed out after ${this.#o.timeoutSeconds}s and was killed`
      : result.signal !== null
        ? `was killed by ${result.signal}`
        : `exited with status ${result.exitCode ?? '?'}`;
    const stderr = scrubValue(result.stderr, plain).trim();
    const shown = stderr.length > STDERR_SHOW ? `${stderr.slice(0, STDERR_SHOW)}…` : stderr;
    throw this.#fail(ref, `${this.#o.command[0] ?? ''} ${how}${shown ? `; stderr: ${shown}` : ''}`);
  }

  /**
   * The same command with `CFGITOPS_SINK_ACTION=remove` and an empty stdin (docs/sinks.md): it must delete what it
   * stored under `CFGITOPS_SECRET_KEY` and exit 0 (also when nothing is there). The command cannot say whether
   * something was there, so success is `removed`.
   */
  async remove(ref: SinkRef, token: TokenMetadata): Promise<'removed' | 'absent'> {
    let result: RunResult;
    try {
      result = await this.#run(ref, token, 'remove', '');
    } catch (e) {
      throw this.#fail(
        ref,
        `cannot start ${this.#o.command[0] ?? ''}: ${(e as NodeJS.ErrnoException).code ?? 'spawn failed'}`,
        REMOVE_HINT,
      );
    }
    if (!result.timedOut && result.exitCode === 0) {
      this.#o.log.debug({ sink: this.name, key: ref.key, tokenName: token.name }, 'removed old token value');
      return 'removed';
    }
    const how = result.timedOut
      ? `timed out after ${this.#o.timeoutSeconds}s and was killed`
      : result.signal !== null
        ? `was killed by ${result.signal}`
        : `exited with status ${result.exitCode ?? '?'}`;
    const stderr = scrubValue(result.stderr).trim();
    const shown = stderr.length > STDERR_SHOW ? `${stderr.slice(0, STDERR_SHOW)}…` : stderr;
    throw this.#fail(
      ref,
      `${this.#o.command[0] ?? ''} with CFGITOPS_SINK_ACTION=remove ${how}${shown ? `; stderr: ${shown}` : ''}`,
      REMOVE_HINT,
    );
  }

  async check(): Promise<SinkCheckResult> {
    const program = this.#o.command[0] ?? '';
    const found = await this.#resolveProgram(program);
    return found === undefined
      ? { ok: false, detail: `exec ${program}: not found or not executable${program.includes('/') ? '' : ' on PATH'}` }
      : { ok: true, detail: `exec ${program}: ${found} is executable (not run)` };
  }

  #run(ref: SinkRef, token: TokenMetadata, action: 'put' | 'remove', plain: string): Promise<RunResult> {
    const [program = '', ...args] = this.#o.command;
    const child = this.#o.spawn(program, args, {
      cwd: this.#o.cwd,
      shell: false,
      // Its own process group, so a timeout kills the command and everything it started.
      detached: true,
      stdio: ['pipe', 'ignore', 'pipe'],
      env: {
        ...childEnv(this.#o.env, this.#o.withheldEnv, this.#o.inheritEnv),
        CFGITOPS_TOKEN_NAME: token.name,
        CFGITOPS_TOKEN_ID: token.id,
        CFGITOPS_ACCOUNT_ID: token.account,
        CFGITOPS_SECRET_KEY: ref.key,
        CFGITOPS_CF_NAME: token.cf_name,
        CFGITOPS_SINK_ACTION: action,
      },
    });
    return new Promise<RunResult>((resolvePromise, reject) => {
      let stderr = '';
      let timedOut = false;
      const timer = new AbortController();
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        if (stderr.length < STDERR_KEEP) stderr += chunk.slice(0, STDERR_KEEP - stderr.length);
      });
      // A command that exits without reading stdin makes our write fail with EPIPE: its exit status tells the story.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(plain);
      child.once('error', (e) => {
        timer.abort();
        reject(e);
      });
      child.once('close', (exitCode, signal) => {
        timer.abort();
        resolvePromise({ exitCode, signal, stderr, timedOut });
      });
      this.#o.clock.sleep(this.#o.timeoutSeconds * 1000, timer.signal).then(
        () => {
          timedOut = true;
          killGroup(child.pid);
        },
        () => undefined,
      );
    });
  }

  async #resolveProgram(program: string): Promise<string | undefined> {
    const candidates = program.includes('/')
      ? [isAbsolute(program) ? program : resolve(this.#o.cwd, program)]
      : (this.#o.env['PATH'] ?? '')
          .split(delimiter)
          .filter((d) => d !== '')
          .map((d) => resolve(this.#o.cwd, d, program));
    for (const c of candidates) {
      try {
        const st = await this.#o.fs.stat(c);
        if (!st.isFile()) continue;
        await this.#o.fs.access(c, constants.X_OK);
        return c;
      } catch {
        /* try the next */
      }
    }
    return undefined;
  }

  #fail(ref: SinkRef, message: string, hint = PUT_HINT): SinkError {
    return new SinkError('E_SINK_WRITE', this.name, ref.key, this.describe(ref), message, { hint });
  }
}

/** `env` without the withheld names, except those inherited on purpose. */
export function childEnv(
  env: Readonly<Record<string, string | undefined>>,
  withheld: readonly string[],
  inherit: readonly string[],
): Record<string, string | undefined> {
  const drop = new Set(withheld.filter((name) => !inherit.includes(name)));
  return Object.fromEntries(Object.entries(env).filter(([name]) => !drop.has(name)));
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}
