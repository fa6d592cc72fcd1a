/**
 * Every CLI command's declaration, one file each: arguments, flags, help text, and the parse of commander's result
 * into the command's typed request. Declarations import nothing but commander and ../options.ts; each action loads
 * its command's implementation (../commands/*.ts) when it runs, so `cfgitops --help` and a usage error load none.
 * Add a command by adding its declaration here.
 */
import type { CommandRegistrar } from '../registrar.js';
import { declareValidate } from './validate.js';
import { declarePlan } from './plan.js';
import { declareApply } from './apply.js';
import { declareForceUnlock } from './force-unlock.js';
import { declareState } from './state.js';
import { declareEmulator } from './emulator.js';
import { declareSinks } from './sinks.js';
import { declareDrift } from './drift.js';
import { declareImport } from './import.js';
import { declareRotate } from './rotate.js';
import { declareExport } from './export.js';
import { declareController } from './controller.js';
import { declareZone } from './zone.js';

export const commands: readonly CommandRegistrar[] = [
  declareValidate,
  declarePlan,
  declareApply,
  declareForceUnlock,
  declareState,
  declareEmulator,
  declareSinks,
  declareDrift,
  declareImport,
  declareRotate,
  declareExport,
  declareController,
  declareZone,
];
