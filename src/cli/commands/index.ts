/**
 * Every CLI command, one file each. Add a command by adding its registrar here.
 */
import type { CommandRegistrar } from '../registrar.js';

export const commands: readonly CommandRegistrar[] = [];
