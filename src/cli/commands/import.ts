/**
 * `cfgitops import KIND NAME ID [DIR]`: record an existing Cloudflare resource as the declared resource NAME.
 * Exit 0 when recorded (and, with --roll, rolled and delivered), 1 otherwise.
 */
import { createApp, type App } from '../../app.js';
import { addressKey } from '../../resources.js';
import { importWorkflow, parseKind, type ImportOutcome } from '../../workflow/import.js';
import { handleInterrupts, interruptedNotice } from '../interrupt.js';
import { DEFAULT_DIR, emulatorOption, lockTimeoutOption, lockTimeoutSeconds } from '../options.js';
import { renderApplyResult } from '../render-apply-result.js';
import type { CommandRegistrar } from '../registrar.js';

export interface ImportCommandOptions {
  kind: string;
  name: string;
  id: string;
  dir: string;
  roll: boolean;
  emulator: boolean;
  lockTimeoutSeconds?: number;
}

export async function runImport(app: App, options: ImportCommandOptions): Promise<number> {
  const kind = parseKind(options.kind);
  const interrupt = handleInterrupts(app.output, 'import');
  let outcome: ImportOutcome;
  try {
    outcome = await importWorkflow(app, {
      kind,
      name: options.name,
      id: options.id,
      dir: options.dir,
      roll: options.roll,
      emulator: options.emulator,
      ...(options.lockTimeoutSeconds !== undefined ? { lockTimeoutSeconds: options.lockTimeoutSeconds } : {}),
      signal: interrupt.signal,
    });
  } finally {
    interrupt.dispose();
  }
  const key = addressKey(outcome.record);
  app.output.out(`Imported ${outcome.record.id} ("${outcome.liveName}") as ${key} in ${outcome.target}.\n`);
  const by = interrupt.interruptedBy();
  if (outcome.roll) {
    app.output.out(renderApplyResult(outcome.roll));
    if (by !== undefined) app.output.err(interruptedNotice(by, 'apply'));
    return outcome.roll.ok && by === undefined ? 0 : 1;
  }
  if (by !== undefined) {
    app.output.err(interruptedNotice(by, 'apply'));
    return 1;
  }
  if (outcome.record.value_status === 'external') {
    app.output.out(
      'Its value stays where it is (tokens.onAdopt: keep): cfgitops records it as external and never rolls it on ' +
        'its own. `cfgitops rotate` rolls it (same id, new value) into its sink when you are ready.\n',
    );
  } else if (kind === 'AccountToken') {
    app.output.out(
      'Its value cannot be read back from Cloudflare, so it is recorded as undelivered: the next apply rolls it ' +
        '(same id, new value) into its sink. Use --roll to do that now.\n',
    );
  }
  app.output.out('Run `cfgitops plan` to see any difference between the manifest and the live resource.\n');
  return 0;
}

export const registerImport: CommandRegistrar = (program, setExitCode, environment) => {
  program
    .command('import')
    .description('take an existing Cloudflare resource under management as a declared resource')
    .argument('<kind>', 'AccountToken, SecondaryDnsPeer or SecondaryDnsTsig (or token, peer, tsig)')
    .argument('<name>', 'the metadata.name of the resource in the manifests')
    .argument('<id>', 'the Cloudflare id of the live resource')
    .argument('[dir]', 'manifest directory', DEFAULT_DIR)
    .option('--roll', 'tokens: roll the value now and deliver it to the sink')
    .addOption(lockTimeoutOption())
    .addOption(emulatorOption())
    .action(async (kind: string, name: string, id: string, dir: string, opts: Record<string, unknown>) => {
      const timeout = lockTimeoutSeconds(opts['lockTimeout'] as string | undefined);
      setExitCode(
        await runImport(createApp(environment), {
          kind,
          name,
          id,
          dir,
          roll: opts['roll'] === true,
          emulator: opts['emulator'] === true,
          ...(timeout !== undefined ? { lockTimeoutSeconds: timeout } : {}),
        }),
      );
    });
};
