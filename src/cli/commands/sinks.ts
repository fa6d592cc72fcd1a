/**
 * `cfgitops sinks check [DIR] [--format text|json]`: is every configured secret sink reachable and writable? Writes
 * no secret and runs no `exec` command; exit 1 when any check fails, so CI can run it before the first apply.
 */
import { createApp, type App } from '../../app.js';
import type { Output } from '../../effects.js';
import { createSecretSinks } from '../../secrets/create-secret-sinks.js';
import { describeFailure } from '../../secrets/sink-error.js';
import type { SecretSinks } from '../../secrets/types.js';
import { loadManifestsFor } from '../../workflow/load.js';
import { DEFAULT_DIR, formatOption } from '../options.js';
import type { CommandRegistrar } from '../registrar.js';

export interface SinkCheckReport {
  name: string;
  type: string;
  default: boolean;
  ok: boolean;
  detail: string;
}

/** Checks every sink (all of them, even after a failure) and prints one line each. Returns the exit code. */
export async function runSinksCheck(
  sinks: SecretSinks,
  options: { format: 'text' | 'json' },
  output: Pick<Output, 'out'>,
): Promise<number> {
  const reports = await Promise.all(
    sinks.names().map(async (name): Promise<SinkCheckReport> => {
      const sink = sinks.get(name);
      const result = await sink.check().catch((e: unknown) => ({ ok: false, detail: describeFailure(e) }));
      return { name, type: sink.type, default: name === sinks.defaultSink, ...result };
    }),
  );
  const ok = reports.every((r) => r.ok);
  if (options.format === 'json') {
    output.out(`${JSON.stringify({ ok, sinks: reports }, null, 2)}\n`);
  } else {
    const width = Math.max(...reports.map((r) => r.name.length + (r.default ? 10 : 0)));
    for (const r of reports) {
      const label = `${r.name}${r.default ? ' (default)' : ''}`.padEnd(width);
      output.out(`${r.ok ? 'ok  ' : 'FAIL'}  ${label}  ${r.detail}\n`);
    }
    const failed = reports.filter((r) => !r.ok).length;
    output.out(
      failed === 0 ? `${reports.length} sink(s) ready\n` : `${failed} of ${reports.length} sink(s) not ready\n`,
    );
  }
  return ok ? 0 : 1;
}

/** Loads the config from DIR, builds the sinks (config errors throw) and checks them. */
export async function runSinksCheckCommand(
  app: App,
  options: { dir: string; format: 'text' | 'json' },
): Promise<number> {
  const manifests = await loadManifestsFor(app, options.dir);
  const sinks = createSecretSinks(manifests.config, { env: app.env, clock: app.clock, log: app.log, cwd: app.cwd });
  return runSinksCheck(sinks, { format: options.format }, app.output);
}

export const registerSinks: CommandRegistrar = (program, setExitCode, environment) => {
  const sinks = program.command('sinks').description('secret sinks: where token values are delivered');
  sinks
    .command('check')
    .description('verify every configured sink is reachable and writable, without writing a secret')
    .argument('[dir]', 'directory of manifests (for the Config document)', DEFAULT_DIR)
    .addOption(formatOption(['text', 'json'], 'text'))
    .action(async (dir: string, flags: { format: 'text' | 'json' }) => {
      setExitCode(await runSinksCheckCommand(createApp(environment), { dir, format: flags.format }));
    });
};
