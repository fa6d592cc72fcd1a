/** `cfgitops emulator`: see ../commands/emulator.ts (which loads the emulator itself only when it starts). */
import type { EmulatorFlags } from '../commands/emulator.js';
import type { CommandRegistrar } from '../registrar.js';

export const declareEmulator: CommandRegistrar = (program, setExitCode) => {
  program
    .command('emulator')
    .description('serve the loopback Cloudflare API emulator (prints its base URL first) until SIGINT/SIGTERM')
    .option('--port <n>', 'port to listen on (0 picks a free one)', '0')
    .option('--host <host>', 'address to bind (loopback only unless --allow-remote)', '127.0.0.1')
    .option('--allow-remote', 'allow binding a non-loopback address')
    .option(
      '--api-token <token>',
      'API token the emulator accepts, 20–200 of [A-Za-z0-9_-] (default: the built-in development token)',
    )
    .option('--email <email>', 'X-Auth-Email accepted together with --api-key')
    .option('--api-key <key>', 'X-Auth-Key accepted together with --email')
    .option('--data <file>', 'keep accounts in this JSON file across restarts')
    .option('--rate-limit <n/seconds>', 'requests per window per credential, e.g. 1200/300, or off')
    .option('--latency <ms>', 'added to every request')
    .option('--seed <n>', 'seed for ids, token values and fault dice (deterministic runs)')
    .action(async (flags: EmulatorFlags) => {
      const { emulatorCommand } = await import('../commands/emulator.js');
      setExitCode(await emulatorCommand(flags));
    });
};
