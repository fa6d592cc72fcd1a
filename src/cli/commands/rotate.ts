/**
 * `cfgitops rotate [NAME…] [--older-than 30d] [DIR]`: roll token values (same id, same permissions) into their
 * sinks, journaled like an apply, with progress. `--dry-run` lists what would rotate. Exit 0 when every selected
 * token was rotated, 1 otherwise.
 */
import { stat } from 'node:fs/promises';
import { Option } from 'commander';
import type { RotationStrategy } from '../../config/types.js';
import type { Plan } from '../../planner/plan.js';
import { createApp, type App } from '../../app.js';
import { addressKey, displayAddress } from '../../resources.js';
import { rotateWorkflow, type RotateSkip } from '../../workflow/rotate.js';
import { DEFAULT_DIR, emulatorOption, lockTimeoutOption, lockTimeoutSeconds, parseDuration } from '../options.js';
import { handleInterrupts, interruptedNotice } from '../interrupt.js';
import { progressReporter } from '../progress.js';
import { renderApplyResult } from '../render-apply-result.js';
import type { CommandRegistrar } from '../registrar.js';

export interface RotateCommandOptions {
  dir: string;
  names: string[];
  olderThan?: string;
  strategy?: RotationStrategy;
  dryRun: boolean;
  emulator: boolean;
  lockTimeoutSeconds?: number;
}

export async function runRotate(app: App, options: RotateCommandOptions): Promise<number> {
  const olderThanMs = options.olderThan === undefined ? undefined : parseDuration(options.olderThan, '--older-than');
  const progress = progressReporter(app, 'rotate');
  const interrupt = handleInterrupts(app.output, 'rolls');
  try {
    const outcome = await rotateWorkflow(app, {
      dir: options.dir,
      names: options.names,
      ...(olderThanMs !== undefined ? { olderThanMs } : {}),
      ...(options.strategy !== undefined ? { strategy: options.strategy } : {}),
      dryRun: options.dryRun,
      emulator: options.emulator,
      ...(options.lockTimeoutSeconds !== undefined ? { lockTimeoutSeconds: options.lockTimeoutSeconds } : {}),
      signal: interrupt.signal,
      onProgress: (e) => {
        progress.onProgress(e);
      },
      onPlan: (plan, rateLimit) => {
        progress.expect(plan, rateLimit);
      },
    });
    progress.finish();
    reportSkips(app, outcome.skipped);
    switch (outcome.kind) {
      case 'dry-run':
        if (outcome.selected.length === 0) app.output.out('No token would be rotated.\n');
        else app.output.out(`Would rotate ${outcome.selected.length} token(s):\n`);
        for (const t of outcome.selected) app.output.out(`  ${addressKey(t.record)} (${t.record.id}): ${t.reason}\n`);
        return outcome.skipped.length > 0 ? 1 : 0;
      case 'nothing':
        app.output.out('No token needed rotating.\n');
        return outcome.skipped.length > 0 ? 1 : 0;
      case 'rotated': {
        const by = interrupt.interruptedBy();
        if (outcome.result.ok && by === undefined) {
          app.output.out(rotatedSummary(outcome.plan, outcome.accounts));
        } else {
          app.output.out(renderApplyResult(outcome.result));
        }
        if (by !== undefined) app.output.err(interruptedNotice(by, 'rotate'));
        return outcome.result.ok && outcome.skipped.length === 0 && by === undefined ? 0 : 1;
      }
    }
  } finally {
    interrupt.dispose();
    progress.finish();
  }
}

/** What a person must know after a rotation: which old values still work, and until when. */
function rotatedSummary(plan: Plan, accounts: Readonly<Record<string, string>>): string {
  const rotations = plan.steps.filter((s) => s.action !== 'delete-predecessor');
  const overlap = rotations.filter((s) => s.rotation?.strategy === 'overlap').length;
  const rolled = rotations.length - overlap;
  const parts: string[] = [];
  if (overlap > 0) {
    parts.push(
      `${overlap} by overlap (a successor token delivered to the sink; the old value works until its grace ends)`,
    );
  }
  if (rolled > 0) parts.push(`${rolled} by roll (same id, new value; the old value no longer works)`);
  const deleted = plan.steps.length - rotations.length;
  if (deleted > 0) parts.push(`${deleted} expired predecessor(s) deleted first`);
  const lines = rotations.map((s) => {
    const how = s.rotation?.strategy === 'overlap' ? 'overlap' : 'roll';
    return `  ${displayAddress(s.address, accounts)} (${how})\n`;
  });
  return `Rotated ${rotations.length} token(s): ${parts.join('; ')}.\n${lines.join('')}`;
}

function reportSkips(app: App, skipped: readonly RotateSkip[]): void {
  for (const s of skipped) app.output.err(`! not rotating ${s.resource}: ${s.why}\n`);
}

export const registerRotate: CommandRegistrar = (program, setExitCode, environment) => {
  program
    .command('rotate')
    .description(
      'rotate managed token values now, each with its rotation strategy (overlap: a successor token, the old value works until its grace ends; roll: same id, new value)',
    )
    .argument(
      '[names-and-dir...]',
      'token metadata.names to rotate (default: all); a trailing directory is the manifest directory',
    )
    .option('--older-than <duration>', 'only values issued longer ago than this (e.g. 30d, 12h)')
    .addOption(
      new Option(
        '--strategy <strategy>',
        "rotate with this strategy instead of each token's rotation.strategy",
      ).choices(['overlap', 'roll']),
    )
    .option('--dir <dir>', 'manifest directory', DEFAULT_DIR)
    .option('--dry-run', 'list what would be rotated; change nothing')
    .addOption(lockTimeoutOption())
    .addOption(emulatorOption())
    .action(async (args: string[], opts: Record<string, unknown>) => {
      const timeout = lockTimeoutSeconds(opts['lockTimeout'] as string | undefined);
      const app = createApp(environment);
      const { names, dir } = await splitNamesAndDir(app, args, opts['dir'] as string);
      setExitCode(
        await runRotate(app, {
          dir,
          names,
          ...(typeof opts['olderThan'] === 'string' ? { olderThan: opts['olderThan'] } : {}),
          ...(opts['strategy'] === 'overlap' || opts['strategy'] === 'roll' ? { strategy: opts['strategy'] } : {}),
          dryRun: opts['dryRun'] === true,
          emulator: opts['emulator'] === true,
          ...(timeout !== undefined ? { lockTimeoutSeconds: timeout } : {}),
        }),
      );
    });
};

/** `rotate a b desired-state`: the last argument is the manifest directory when it names an existing directory. */
async function splitNamesAndDir(
  app: App,
  args: readonly string[],
  dirOption: string,
): Promise<{ names: string[]; dir: string }> {
  const last = args.at(-1);
  if (last !== undefined) {
    const isDir = await stat(app.resolvePath(last)).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (isDir) return { names: args.slice(0, -1), dir: last };
  }
  return { names: [...args], dir: dirOption };
}
