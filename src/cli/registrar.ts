import type { Command } from 'commander';

/** A command file exports one of these: it adds its subcommand and reports its exit code through `setExitCode`. */
export type CommandRegistrar = (program: Command, setExitCode: (code: number) => void) => void;
