/**
 * Every CLI command, one file each. Add a command by adding its registrar here.
 */
import type { CommandRegistrar } from '../registrar.js';
import { registerEmulator } from './emulator.js';

export const commands: readonly CommandRegistrar[] = [registerEmulator];
