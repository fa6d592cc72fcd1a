/** `cfgitops zone force-axfr ZONE [DIR]` and `cfgitops zone force-notify ZONE [DIR]`: see ../commands/zone.ts. */
import {
  chooseDir,
  deprecatedDirOption,
  dirArgument,
  emulatorOption,
  formatOption,
  TEXT_JSON,
  type TextOrJson,
} from '../options.js';
import type { CommandRegistrar } from '../registrar.js';

interface ZoneFlags {
  dir?: string;
  emulator?: boolean;
  format: TextOrJson;
}

export const declareZone: CommandRegistrar = (program, setExitCode, environment) => {
  const zone = program.command('zone').description('zone transfer operations on one zone');
  for (const [name, direction, what] of [
    ['force-axfr', 'incoming', 'ask the primaries for a full zone transfer (AXFR) now (Cloudflare is secondary)'],
    ['force-notify', 'outgoing', 'send a DNS NOTIFY to the secondaries now (Cloudflare is primary)'],
  ] as const) {
    dirArgument(
      zone
        .command(name)
        .description(what)
        .argument('<zone>', 'a zone alias from the Config spec.zones, or a 32-hex zone id'),
      'manifest directory, for the Config: accounts, zones, API settings',
    )
      .addOption(formatOption(TEXT_JSON))
      .addOption(emulatorOption())
      .addOption(deprecatedDirOption())
      .action(async (ref: string, dir: string | undefined, flags: ZoneFlags) => {
        const manifestsDir = chooseDir(`cfgitops zone ${name} ZONE DIR`, dir, flags.dir, environment);
        const { zoneCommand } = await import('../commands/zone.js');
        setExitCode(
          await zoneCommand(environment, {
            zone: ref,
            dir: direction,
            command: name,
            manifestsDir,
            emulator: flags.emulator === true,
            format: flags.format,
          }),
        );
      });
  }
};
