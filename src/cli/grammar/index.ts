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

/** Each top-level command by the name it registers (grammar.test.ts holds the two equal). */
export const COMMANDS: readonly { name: string; declare: CommandRegistrar }[] = [
  { name: 'validate', declare: declareValidate },
  { name: 'plan', declare: declarePlan },
  { name: 'apply', declare: declareApply },
  { name: 'force-unlock', declare: declareForceUnlock },
  { name: 'state', declare: declareState },
  { name: 'emulator', declare: declareEmulator },
  { name: 'sinks', declare: declareSinks },
  { name: 'drift', declare: declareDrift },
  { name: 'import', declare: declareImport },
  { name: 'rotate', declare: declareRotate },
  { name: 'export', declare: declareExport },
  { name: 'controller', declare: declareController },
  { name: 'zone', declare: declareZone },
];

/**
 * The declarations a run needs: only the named command's when argv names one (declaring all thirteen, with their
 * options and help, was ~4 ms of every start: docs/benchmarks.md), all of them otherwise — `--help`, `--version`,
 * `help`, and a mistyped name, which commander answers with the closest names.
 */
export function commandsFor(argv: readonly string[]): readonly CommandRegistrar[] {
  const first = argv[0];
  const named = first === undefined ? undefined : COMMANDS.find((c) => c.name === first);
  return named ? [named.declare] : COMMANDS.map((c) => c.declare);
}
