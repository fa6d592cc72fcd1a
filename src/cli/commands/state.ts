/**
 * `cfgitops state init|list|show|rm|migrate`: prepare, inspect and edit recorded state. State holds ids and sink references only,
 * so `show` has no secret to print. `rm` forgets a resource without touching Cloudflare (it becomes unmanaged).
 */
import type { Command } from 'commander';
import { createApp, type App } from '../../app.js';
import { CfgitopsError } from '../../errors.js';
import type { ResolvedConfig } from '../../config/types.js';
import { RESOURCE_KINDS, resolveAccountRef } from '../../kinds/registry.js';
import { addressKey, displayAddress, type AccountAliases } from '../../resources.js';
import type { RecordedResource, StateDocument } from '../../state/types.js';
import { loadManifestsFor } from '../../workflow/load.js';
import { DEFAULT_DIR, emulatorOption, formatOption, lockTimeoutOption, lockTimeoutSeconds } from '../options.js';
import type { CommandRegistrar } from '../registrar.js';
import { registerStateMigrate } from './state-migrate-command.js';

interface StateTargetOptions {
  dir: string;
  emulator: boolean;
}

async function withState<T>(
  app: App,
  options: StateTargetOptions,
  fn: (state: ReturnType<App['stores']>['state'], config: ResolvedConfig) => Promise<T>,
): Promise<T> {
  const manifests = await loadManifestsFor(app, options.dir);
  const { state } = app.stores(manifests.config, { emulator: options.emulator });
  try {
    return await fn(state, manifests.config);
  } finally {
    await state.close();
  }
}

/**
 * Accepts `Kind/account/name` (the account as its Config alias or its id), or `Kind/name` / `name` when that is
 * unambiguous.
 */
export function findRecorded(
  doc: StateDocument,
  ref: string,
  aliases: Readonly<Record<string, string>> = {},
): RecordedResource {
  const all = Object.values(doc.resources);
  const exact = doc.resources[resolveAccountRef(ref, aliases)];
  if (exact) return exact;
  const parts = ref.split('/');
  const matches = all.filter((r) =>
    parts.length === 2 ? r.kind === parts[0] && r.name === parts[1] : parts.length === 1 ? r.name === ref : false,
  );
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new CfgitopsError('E_USAGE', `"${ref}" matches ${matches.length} resources in state`, {
      hint: `name one exactly: ${matches.map((r) => displayAddress(r, aliases)).join(', ')}`,
    });
  }
  throw new CfgitopsError('E_STATE_NOT_FOUND', `no resource "${ref}" in state`, {
    hint: 'list what is recorded with `cfgitops state list`',
  });
}

export function renderStateList(doc: StateDocument, aliases: AccountAliases = {}): string {
  const rows = Object.values(doc.resources).sort(
    (a, b) =>
      RESOURCE_KINDS.indexOf(a.kind) - RESOURCE_KINDS.indexOf(b.kind) || addressKey(a).localeCompare(addressKey(b)),
  );
  const lines = rows.map((r) => {
    const extra: string[] = [];
    if (r.origin && r.origin !== 'created') extra.push(r.origin);
    if (r.complete === false) extra.push('incomplete');
    if (r.sink) {
      extra.push(
        r.value_status === 'external'
          ? `value kept outside cfgitops (adopted with onAdopt: keep); rotate delivers to ${r.sink.sink}#${r.sink.key}`
          : `value ${r.value_status ?? 'delivered'} → ${r.sink.sink}#${r.sink.key}`,
      );
    }
    if (r.prevent_destroy) extra.push('prevent-destroy');
    return `${displayAddress(r, aliases)}  ${r.id}${extra.length ? `  (${extra.join(', ')})` : ''}`;
  });
  const pending = Object.values(doc.pending).map(
    (i) => `pending ${i.op} ${i.kind}/${i.account}/${i.name} since ${i.started_at} (resolved at the next plan)`,
  );
  const head = `# state lineage ${doc.lineage}, serial ${doc.serial}: ${rows.length} resource(s)`;
  return [head, ...lines, ...pending].join('\n') + '\n';
}

function targetOptions(command: Command): Command {
  return command
    .option('--dir <dir>', 'manifest directory (for the state configuration)', DEFAULT_DIR)
    .addOption(emulatorOption());
}

export const registerState: CommandRegistrar = (program, setExitCode, environment) => {
  const state = program.command('state').description('inspect and edit recorded state');

  targetOptions(
    state
      .command('init')
      .description('create or migrate the state schema (PostgreSQL) before the first run; plan and drift never do'),
  ).action(async (opts: { dir: string; emulator?: boolean }) => {
    const app = createApp(environment);
    await withState(app, { dir: opts.dir, emulator: opts.emulator === true }, async (store) => {
      const done = store.init
        ? await store.init()
        : `${store.describe()}: nothing to prepare (created on the first apply)`;
      app.output.out(`${done}\n`);
    });
    setExitCode(0);
  });

  targetOptions(state.command('list').description('list managed resources and pending journal entries'))
    .addOption(formatOption(['text', 'json'], 'text'))
    .action(async (opts: { dir: string; emulator?: boolean; format: string }) => {
      const app = createApp(environment);
      await withState(app, { dir: opts.dir, emulator: opts.emulator === true }, async (store, config) => {
        const doc = await store.read();
        app.output.out(
          opts.format === 'json' ? JSON.stringify(doc, null, 2) + '\n' : renderStateList(doc, config.accounts),
        );
      });
      setExitCode(0);
    });

  targetOptions(state.command('show').description('show one recorded resource').argument('<address>')).action(
    async (address: string, opts: { dir: string; emulator?: boolean }) => {
      const app = createApp(environment);
      await withState(app, { dir: opts.dir, emulator: opts.emulator === true }, async (store, config) => {
        app.output.out(JSON.stringify(findRecorded(await store.read(), address, config.accounts), null, 2) + '\n');
      });
      setExitCode(0);
    },
  );

  targetOptions(
    state
      .command('rm')
      .description('forget resources without deleting them at Cloudflare (they become unmanaged)')
      .argument('<address...>'),
  )
    .addOption(lockTimeoutOption())
    .action(async (addresses: string[], opts: { dir: string; emulator?: boolean; lockTimeout?: string }) => {
      const app = createApp(environment);
      await withState(app, { dir: opts.dir, emulator: opts.emulator === true }, async (store, config) => {
        const timeout = lockTimeoutSeconds(opts.lockTimeout) ?? config.lockTimeoutSeconds;
        const lock = await store.lock('state rm', timeout * 1000);
        try {
          const found = addresses.map((a) => findRecorded(lock.current(), a, config.accounts));
          await lock.commit(found.map((r) => ({ type: 'remove-resource' as const, key: addressKey(r) })));
          for (const r of found) {
            app.output.out(
              `Removed ${displayAddress(r, config.accounts)} from state; Cloudflare ${r.kind} ${r.id} is left as it is, unmanaged.\n`,
            );
          }
        } finally {
          await lock.release();
        }
      });
      setExitCode(0);
    });

  registerStateMigrate(state, setExitCode, environment);
};
