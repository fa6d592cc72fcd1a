/**
 * argv → commander → the command's `run` → exit code. Nothing else lives here: each command is declared in
 * ./grammar (flags, help, the parse into a typed request) and implemented in ./commands, which its action imports
 * when it runs and which builds what it needs through the composition root (src/app.ts). Exit codes: docs/cli.md.
 */
import { Command, CommanderError } from 'commander';
import type { AppEnvironment } from '../app.js';
import { CfgitopsError, errorList, type ErrorCode } from '../errors.js';
import { secretScrubber } from '../secret.js';
import { VERSION } from '../version.js';
import { commandsFor } from './grammar/index.js';
import { guardPendingExit } from './guard-pending-exit.js';

export function processEnvironment(): AppEnvironment {
  return { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
}

export async function main(
  argv: readonly string[],
  environment: AppEnvironment = processEnvironment(),
): Promise<number> {
  let exitCode = 0;
  const program = new Command('cfgitops')
    .description('Declarative GitOps reconciler for Cloudflare Secondary DNS peers, TSIG keys and account API tokens')
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void environment.stdout.write(s),
      writeErr: (s) => void environment.stderr.write(secretScrubber.scrub(s)),
    });
  for (const register of commandsFor(argv)) register(program, (code) => (exitCode = code), environment);
  const release = guardPendingExit();
  try {
    await program.parseAsync(['node', 'cfgitops', ...argv]);
    return exitCode;
  } catch (e) {
    return reportFailure(e, environment);
  } finally {
    release();
  }
}

/**
 * Failures a script branches on get an exit code of their own: 3 = the saved plan is stale and nothing was sent (the
 * merge workflow then plans again for approval instead of failing).
 */
const EXIT_CODES: Partial<Record<ErrorCode, number>> = { E_PLAN_STALE: 3 };

/** User errors: exit 1 (or their own code, above), no stack. Anything else is a bug: print the stack and say so. */
export function reportFailure(e: unknown, environment: AppEnvironment = processEnvironment()): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
  const write = (s: string): void => void environment.stderr.write(secretScrubber.scrub(s) + '\n');
  if (e instanceof CfgitopsError) {
    for (const err of errorList(e)) write(`error[${err.code}]: ${err.format()}`);
    return EXIT_CODES[e.code] ?? 1;
  }
  write(`internal error (this is a bug in cfgitops, please report it):`);
  write(e instanceof Error ? (e.stack ?? e.message) : String(e));
  return 1;
}
