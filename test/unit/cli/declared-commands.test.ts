/**
 * A run declares only the command it names (src/cli/grammar/index.ts `commandsFor`), and everything else — help,
 * version, a mistyped name — still sees every command. Checked through `main`, as the CLI runs it.
 */
import { Command } from 'commander';
import { describe, expect, test } from 'vitest';
import type { AppEnvironment } from '../../../src/app.js';
import { COMMANDS, commandsFor } from '../../../src/cli/grammar/index.js';
import { main } from '../../../src/cli/main.js';

function captured(): { environment: AppEnvironment; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const stream = (add: (s: string) => void) =>
    ({ write: (s: string) => (add(s), true), isTTY: false }) as unknown as NodeJS.WriteStream;
  return {
    environment: {
      env: {},
      cwd: process.cwd(),
      stdout: stream((s) => (out += s)),
      stderr: stream((s) => (err += s)),
    },
    out: () => out,
    err: () => err,
  };
}

describe('declared commands', () => {
  test('GIVEN each entry of COMMANDS WHEN declared alone THEN it adds exactly the command of its name', () => {
    for (const { name, declare } of COMMANDS) {
      const program = new Command('cfgitops');
      declare(program, () => undefined, captured().environment);
      expect(program.commands.map((c) => c.name())).toEqual([name]);
    }
  });

  test('GIVEN argv naming a command WHEN chosen THEN only its declaration; otherwise all of them', () => {
    expect(commandsFor(['validate', 'desired-state'])).toEqual([COMMANDS[0]!.declare]);
    for (const argv of [[], ['--help'], ['-V'], ['help', 'plan'], ['valdate']]) {
      expect(commandsFor(argv)).toHaveLength(COMMANDS.length);
    }
  });

  test('GIVEN --help, a command’s --help and a mistyped command WHEN run THEN all commands listed, its own help, the closest name', async () => {
    const all = captured();
    expect(await main(['--help'], all.environment)).toBe(0);
    for (const { name } of COMMANDS) expect(all.out()).toMatch(new RegExp(`^ {2}${name}\\b`, 'm'));
    const own = captured();
    expect(await main(['rotate', '--help'], own.environment)).toBe(0);
    expect(own.out()).toMatch(/^Usage: cfgitops rotate /m);
    expect(own.out()).toContain('--strategy');
    const typo = captured();
    expect(await main(['valdate'], typo.environment)).toBe(1);
    expect(typo.err()).toMatch(/unknown command 'valdate'[\s\S]*\(Did you mean validate\?\)/);
  });
});
