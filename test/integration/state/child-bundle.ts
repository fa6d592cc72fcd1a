/**
 * Child processes in these tests run the real store code: the TypeScript entry is bundled once with rolldown (what
 * vite builds on) into node_modules/.cache so that its package imports (pg, ajv, pino) resolve as in the repo.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
const outDir = join(repoRoot, 'node_modules', '.cache', 'cfgitops-state-test');

export async function bundleChild(entry: string): Promise<string> {
  const { build } = await import('rolldown');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${basename(entry, '.ts')}-${process.pid}.mjs`);
  await build({
    input: entry,
    platform: 'node',
    external: [/^[^./]/],
    resolve: { extensionAlias: { '.js': ['.ts', '.js'] } },
    // One file: dynamic imports (the kinds' emulator routes, reachable from the stores) are inlined.
    output: { file, format: 'esm', codeSplitting: false },
    logLevel: 'silent',
  });
  return file;
}

export interface RunningChild {
  process: ChildProcess;
  /** Resolves with the next line the child prints on stdout. */
  nextLine(): Promise<string>;
  /** Resolves when the child has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startChild(script: string, args: string[], env: NodeJS.ProcessEnv = {}): RunningChild {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else lines.push(line);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.on('exit', (code, signal) => {
      res({ code, signal });
    });
  });
  return {
    process: child,
    nextLine: () =>
      new Promise<string>((res, rej) => {
        const line = lines.shift();
        if (line !== undefined) {
          res(line);
          return;
        }
        waiters.push(res);
        void exited.then(({ code, signal }) => {
          rej(new Error(`child exited (code ${code}, signal ${signal}) before printing a line`));
        });
      }),
    exited,
  };
}
