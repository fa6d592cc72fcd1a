/**
 * Every CLI command, one file each. Add a command by adding its registrar here.
 */
import type { CommandRegistrar } from '../registrar.js';
import { registerEmulator } from './emulator.js';
import { registerValidate } from './validate.js';
import { registerSinks } from './sinks.js';

export const commands: readonly CommandRegistrar[] = [registerValidate, registerEmulator, registerSinks];
