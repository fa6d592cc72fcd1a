/**
 * Human output for one run: results on stdout, progress and logs on stderr, every byte scrubbed of secrets.
 *
 * On a terminal, a live line (the progress bar) may sit at the bottom of the screen. Everything else written while it
 * is shown — a log line, a result, the interrupt notice — goes *above* it: the live line is cleared, the text
 * written, the line drawn again. Without that, a log line written mid-bar lands in the middle of the bar and the next
 * redraw overwrites half of it. stdout and stderr are usually the same terminal, so both go through here; when one of
 * them is redirected to a file, its writes never touch the terminal and pass straight through.
 */
import type { LiveRegion, Output } from './effects.js';

export interface TerminalStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface TerminalOptions {
  stdout: TerminalStream;
  stderr: TerminalStream;
  scrub: (text: string) => string;
  /** ANSI colour wanted (a terminal, and NO_COLOR unset). */
  color: boolean;
}

const CLEAR_LINE = '\r\u001b[2K';

export function terminalOutput(options: TerminalOptions): Output {
  const { stdout, stderr, scrub } = options;
  let live: LiveRegion | undefined;
  const liveTerminal = stderr.isTTY === true;

  const write = (stream: TerminalStream, text: string): void => {
    const clean = scrub(text);
    // Only a write that reaches the terminal the live line is on can break it.
    if (live === undefined || stream.isTTY !== true) {
      stream.write(clean);
      return;
    }
    stderr.write(CLEAR_LINE);
    stream.write(clean.endsWith('\n') ? clean : `${clean}\n`);
    live.redraw();
  };

  return {
    out: (text) => {
      write(stdout, text);
    },
    err: (text) => {
      write(stderr, text);
    },
    isTTY: stdout.isTTY === true,
    color: options.color,
    ...(liveTerminal
      ? {
          live: {
            stream: {
              isTTY: true as const,
              get columns() {
                return stderr.columns !== undefined && stderr.columns > 0 ? stderr.columns : 80;
              },
              write: (s: string) => {
                stderr.write(s);
                return true;
              },
            },
            attach: (region: LiveRegion) => {
              live = region;
            },
            detach: (region: LiveRegion) => {
              if (live === region) live = undefined;
            },
          },
        }
      : {}),
  };
}
