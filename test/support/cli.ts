/**
 * Runs cfgitops the way users do: in-process through `main(argv, environment)` with captured streams (fast, and
 * every byte of output is inspectable), or as a child process of the built CLI (for SIGKILL and lock contention).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import type { Clock } from '../../src/effects.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const CLI_BIN = fileURLToPath(new URL('../../bin/cfgitops.js', import.meta.url));

function sink(): { write(s: string): boolean; text(): string; isTTY: false } {
  const chunks: string[] = [];
  return {
    write: (s: string) => {
      chunks.push(s);
      return true;
    },
    text: () => chunks.join(''),
    isTTY: false,
  };
}

export async function runCli(
  argv: readonly string[],
  options: { cwd: string; env: Record<string, string | undefined>; clock?: Clock },
): Promise<CliResult> {
  const stdout = sink();
  const stderr = sink();
  const clock = options.clock === undefined ? {} : { clock: options.clock };
  const code = await main(argv, { env: options.env, cwd: options.cwd, stdout, stderr, ...clock });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

export interface SpawnedCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** With `detached`, the child leads its own process group: `killGroup` then also ends what it spawned (exec sinks). */
export function spawnCli(
  argv: readonly string[],
  options: { cwd: string; env: Record<string, string | undefined>; detached?: boolean },
): SpawnedCli {
  const child = spawn(process.execPath, [CLI_BIN, ...argv], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'], ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached === true,
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      resolve({ code, signal });
    });
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** SIGKILL the child's whole process group (spawned with `detached: true`). */
export function killGroup(spawned: SpawnedCli): void {
  const pid = spawned.child.pid;
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    spawned.child.kill('SIGKILL');
  }
}

/** Polls `check` every 20 ms until it holds, or fails after `timeoutMs` (a hang guard, not a timing assertion). */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
