/**
 * Every CLI command, one file each. Add a command by adding its registrar here.
 */
import type { CommandRegistrar } from '../registrar.js';
import { registerEmulator } from './emulator.js';
import { registerValidate } from './validate.js';
import { registerPlan } from './plan.js';
import { registerApply } from './apply.js';
import { registerForceUnlock } from './force-unlock.js';
import { registerState } from './state.js';
import { registerSinks } from './sinks.js';
import { registerDrift } from './drift.js';
import { registerImport } from './import.js';
import { registerRotate } from './rotate.js';
import { registerExport } from './export.js';
import { registerController } from './controller.js';
import { registerZone } from './zone.js';

export const commands: readonly CommandRegistrar[] = [
  registerValidate,
  registerPlan,
  registerApply,
  registerForceUnlock,
  registerState,
  registerEmulator,
  registerSinks,
  registerDrift,
  registerImport,
  registerRotate,
  registerExport,
  registerController,
  registerZone,
];
