/** `cfgitops controller [DIR]`: see ../commands/controller.ts. */
import { Option } from 'commander';
import type { ControllerFlags } from '../commands/controller.js';
import type { ControllerMode } from '../../controller/cycle-report.js';
import { DEFAULT_DIR, emulatorOption, lockTimeoutOption } from '../options.js';
import type { CommandRegistrar } from '../registrar.js';

const MODES: readonly ControllerMode[] = ['apply', 'plan', 'drift'];

export const declareController: CommandRegistrar = (program, setExitCode, environment) => {
  program
    .command('controller')
    .description('reconcile continuously: on an interval, when the commit changes, on a push webhook or on demand')
    .argument('[dir]', `a local manifest directory (default: "${DEFAULT_DIR}", unless --git); same as --source`)
    .option('--source <dir>', 'a local manifest directory (the same as the DIR argument)')
    .option('--git <url>', 'a git repository to clone and fetch with the system git')
    .option('--branch <branch>', 'the branch to follow (with --git)', 'main')
    .option('--path <path>', 'the manifest directory inside the repository (with --git)', '.')
    .option(
      '--checkout-dir <dir>',
      'where the controller keeps its checkout (with --git)',
      '.cfgitops/controller/checkout',
    )
    .option('--git-token-file <file>', 'a file holding an HTTPS token for --git (read when git asks, never logged)')
    .option('--git-ssh-key <file>', 'a private key file for an SSH --git URL')
    .addOption(
      new Option('--mode <mode>', 'apply: reconcile; plan: report only; drift: observe only')
        .choices(MODES)
        .default('apply'),
    )
    .option('--interval <duration>', 'reconcile this often, also when nothing was pushed (repairs drift)', '10m')
    .option('--source-interval <duration>', 'check the source for a new commit this often', '1m')
    .option('--jitter <fraction>', 'spread each wait by ± this fraction', '0.1')
    .option('--retry-backoff <duration>', 'first retry after a failed cycle; doubles per failure', '10s')
    .option('--max-backoff <duration>', 'longest wait between failed cycles (never more than --interval)', '5m')
    .option('--cycle-timeout <duration>', 'a cycle running longer is stopped like SIGTERM stops apply', '30m')
    .option('--failing-threshold <duration>', '/readyz fails once cycles have failed for longer than this', '30m')
    .option(
      '--rotate-after <duration>',
      'metrics: tokens whose rotation policy sets no "every" count as due once their value is this old',
      '30d',
    )
    .option('--leader-retry <duration>', 'how often a standby tries to take over (PostgreSQL state)', '2s')
    .option(
      '--listen <host:port>',
      'where to serve /healthz, /readyz, /metrics, /status and /hooks/github',
      '127.0.0.1:8080',
    )
    .option('--webhook-secret-file <file>', 'the GitHub webhook secret (default: $CFGITOPS_WEBHOOK_SECRET)')
    .addOption(lockTimeoutOption())
    .addOption(emulatorOption())
    .action(async (dir: string | undefined, flags: ControllerFlags) => {
      const { controllerCommand } = await import('../commands/controller.js');
      setExitCode(await controllerCommand(environment, dir, flags));
    });
};
