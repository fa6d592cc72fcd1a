/**
 * The built CLI on a real pseudo-terminal, as a person runs it: util-linux `script` allocates the pty (stdin, stdout
 * and stderr are all the terminal, so isTTY is true everywhere, colours and the progress bar are on, the
 * confirmation prompt is asked). What we write to its stdin is typed into the terminal — "\x03" is Ctrl-C, which
 * the terminal turns into SIGINT for the CLI — and what the terminal shows comes back on its stdout.
 * `script` rather than node-pty: no native module to build, and it is on every Debian machine (bsdutils; .ci/run
 * installs it when missing).
 */
import { spawn } from 'node:child_process';
import { CLI_BIN } from './cli.js';

export interface TerminalRun {
  /** Types into the terminal. */
  type(text: string): void;
  /** Resolves when the screen text matches (rejects after `timeoutMs`, with what the screen showed). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Raw bytes the terminal received, escape sequences included. */
  raw(): string;
  /** The lines a person sees at the end (see `screenLines`). */
  lines(): string[];
  exited: Promise<number>;
}

export interface TerminalOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  columns?: number;
}

const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

/** Runs `cfgitops ARGV` (the built CLI) on a fresh pseudo-terminal. */
export function runInTerminal(argv: readonly string[], options: TerminalOptions): TerminalRun {
  return runCommandInTerminal([process.execPath, CLI_BIN, ...argv].map(quote).join(' '), options);
}

/** Runs a shell command on a fresh pseudo-terminal of `columns` × 40 (a pty made by `script` starts at 0 × 0). */
export function runCommandInTerminal(command: string, options: TerminalOptions): TerminalRun {
  const size = `stty cols ${options.columns ?? 100} rows 40 2>/dev/null; `;
  // -q: no "Script started" banner; -e: exit with the command's code; -f: flush every write; /dev/null: no typescript.
  const child = spawn('script', ['-qefc', `${size}exec ${command}`, '/dev/null'], {
    cwd: options.cwd,
    env: { TERM: 'xterm-256color', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let raw = '';
  const listeners = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    raw += d;
    for (const l of listeners) l();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (raw += d));
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      resolve(code ?? 1);
    });
  });
  return {
    type: (text) => {
      child.stdin.write(text);
    },
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!pattern.test(screenText(raw))) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`terminal never showed ${String(pattern)}; it shows:\n${screenText(raw).slice(-3000)}`));
        }, timeoutMs);
        listeners.add(check);
        void exited.then(() => setTimeout(check, 0));
        check();
      }),
    raw: () => raw,
    lines: () => screenLines(raw),
    exited: exited.finally(() => child.stdin.destroy()),
  };
}

// CSI sequences (colours, erase, cursor moves) and the two-byte ones (save/restore cursor): ESC is the point.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[78=>]/g;

/**
 * What stays on screen, line by line: each line is what was drawn after its last carriage return or move to column
 * 1 (a redrawn progress bar shows its final state, a cleared line its new text), colours removed.
 */
export function screenLines(raw: string): string[] {
  return raw.split('\n').map((line) => {
    const segments = line.replaceAll('\u001b[1G', '\r').split('\r');
    const visible = segments.filter((s) => s.replace(ESCAPES, '') !== '');
    return (visible.at(-1) ?? '').replace(ESCAPES, '').trimEnd();
  });
}

export function screenText(raw: string): string {
  return screenLines(raw).join('\n');
}

/** ANSI colour (SGR) sequences in raw terminal output. */
export function hasColour(raw: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /\u001b\[[0-9;]*m/.test(raw);
}

/** What a bug report looks like: a stack frame or Node's own crash banner. */
export const STACK_TRACE =
  /^\s+at .+\(.+:\d+:\d+\)$|^\s+at file:|internal error|Node\.js v\d+|TypeError|ReferenceError/m;
