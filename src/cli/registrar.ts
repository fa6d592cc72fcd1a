import type { Command } from 'commander';
import type { AppEnvironment } from '../app.js';

/**
 * A command file exports one of these: it adds its subcommand and reports its exit code through `setExitCode`.
 * `environment` is the process's streams, env and cwd — or a test's — from which the command builds its `App`.
 */
export type CommandRegistrar = (
  program: Command,
  setExitCode: (code: number) => void,
  environment: AppEnvironment,
) => void;
