import { describe, expect, test } from 'vitest';
import { terminalOutput } from '../../src/terminal.js';

function tty(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 80, write: (s: string) => writes.push(s) } };
}

describe('terminalOutput', () => {
  test('GIVEN a live line on the terminal WHEN text is written to stdout or stderr THEN it goes above the line, which is drawn again', () => {
    const screen: string[] = [];
    const out = { isTTY: true, write: (s: string) => screen.push(`out:${s}`) };
    const err = { isTTY: true, columns: 80, write: (s: string) => screen.push(`err:${s}`) };
    const output = terminalOutput({ stdout: out, stderr: err, scrub: (s) => s, color: true });
    const region = { redraw: () => output.live!.stream.write('[bar]') };
    output.live!.attach(region);
    output.out('result\n');
    output.err('log line');
    output.live!.detach(region);
    output.err('after\n');
    expect(screen).toEqual([
      'err:\r\u001b[2K',
      'out:result\n',
      'err:[bar]',
      'err:\r\u001b[2K',
      'err:log line\n',
      'err:[bar]',
      'err:after\n',
    ]);
  });

  test('GIVEN stdout redirected to a file WHEN a live line is shown THEN stdout text passes through untouched', () => {
    const out = tty(false);
    const err = tty(true);
    const output = terminalOutput({ stdout: out.stream, stderr: err.stream, scrub: (s) => s, color: false });
    output.live!.attach({ redraw: () => err.stream.write('[bar]') });
    output.out('{"json": true}');
    expect(out.writes).toEqual(['{"json": true}']);
    expect(err.writes).toEqual([]);
  });

  test('GIVEN stderr is not a terminal THEN there is no live line (progress falls back to plain lines)', () => {
    const output = terminalOutput({
      stdout: tty(true).stream,
      stderr: tty(false).stream,
      scrub: (s) => s,
      color: true,
    });
    expect(output.live).toBeUndefined();
  });

  test('GIVEN a registered secret in any write THEN it is scrubbed', () => {
    const err = tty(true);
    const output = terminalOutput({
      stdout: err.stream,
      stderr: err.stream,
      scrub: (s) => s.replaceAll('hunter2hunter2', '[redacted]'),
      color: false,
    });
    output.out('token hunter2hunter2\n');
    output.err('token hunter2hunter2\n');
    expect(err.writes.join('')).not.toContain('hunter2hunter2');
  });
});
