/** `cfgitops zone force-axfr ZONE` and `cfgitops zone force-notify ZONE` (src/workflow/zone-transfer.ts). */
import { createApp } from '../../app.js';
import { zoneTransferWorkflow } from '../../workflow/zone-transfer.js';
import { DEFAULT_DIR, emulatorOption } from '../options.js';
import type { CommandRegistrar } from '../registrar.js';

export const registerZone: CommandRegistrar = (program, setExitCode, environment) => {
  const zone = program.command('zone').description('zone transfer operations on one zone');
  for (const [name, dir, what] of [
    ['force-axfr', 'incoming', 'ask the primaries for a full zone transfer (AXFR) now (Cloudflare is secondary)'],
    ['force-notify', 'outgoing', 'send a DNS NOTIFY to the secondaries now (Cloudflare is primary)'],
  ] as const) {
    zone
      .command(name)
      .description(what)
      .argument('<zone>', 'a zone alias from the Config spec.zones, or a 32-hex zone id')
      .option('--dir <dir>', 'manifest directory (for the Config: accounts, zones, API settings)', DEFAULT_DIR)
      .addOption(emulatorOption())
      .action(async (ref: string, opts: { dir: string; emulator?: boolean }) => {
        const app = createApp(environment);
        const outcome = await zoneTransferWorkflow(app, {
          zone: ref,
          dir,
          command: name,
          manifestsDir: opts.dir,
          emulator: opts.emulator === true,
        });
        app.output.out(`${name} ${outcome.zone} (${outcome.zoneId}) in ${outcome.target}: ${outcome.result}\n`);
        setExitCode(0);
      });
  }
};
