/**
 * `cfgitops state init|list|show|rm|migrate … [DIR]`: prepare, inspect and edit recorded state. State holds ids and sink references only,
 * so `show` has no secret to print. `rm` forgets a resource without touching Cloudflare (it becomes unmanaged).
 */
import { createApp, type App, type AppEnvironment } from '../../app.js';
import { CfgitopsError } from '../../errors.js';
import type { ResolvedConfig } from '../../config/types.js';
import { RESOURCE_KINDS, resolveAccountRef } from '../../kinds/registry.js';
import { addressKey, displayAddress, type AccountAliases } from '../../resources.js';
import type { RecordedResource, StateDocument } from '../../state/types.js';
import { readLiveDetails } from '../../workflow/live-details.js';
import { loadManifestsFor } from '../../workflow/load.js';
import { withJsonFailure } from '../json-failure.js';
import type { TextOrJson } from '../options.js';

async function withState<T>(
  app: App,
  options: Pick<StateTarget, 'dir' | 'emulator'>,
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
    if (r.generation !== undefined && r.generation > 1) extra.push(`generation ${r.generation}`);
    if (r.predecessor) {
      const until = r.predecessor.expires_on ? `works until ${r.predecessor.expires_on}` : 'rotation in progress';
      extra.push(`predecessor ${r.predecessor.id} (${until})`);
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

/** Which state (from the Config in `dir`), and how to print the result. */
export interface StateTarget {
  dir: string;
  emulator: boolean;
  format: TextOrJson;
}

/** The App, and on failure with `--format json` the one document (`{ ok: false, errors }`). */
async function stateCommand(
  environment: AppEnvironment,
  target: StateTarget,
  run: (app: App) => Promise<void>,
): Promise<number> {
  const app = createApp(environment);
  return withJsonFailure(target.format === 'json', app.output, async () => {
    await run(app);
    return 0;
  });
}

const json = (body: unknown): string => `${JSON.stringify(body, null, 2)}\n`;

export function stateInitCommand(environment: AppEnvironment, target: StateTarget): Promise<number> {
  return stateCommand(environment, target, (app) =>
    withState(app, target, async (store) => {
      const done = store.init
        ? await store.init()
        : `${store.describe()}: nothing to prepare (created on the first apply)`;
      app.output.out(
        target.format === 'json' ? json({ ok: true, state: store.describe(), result: done }) : `${done}\n`,
      );
    }),
  );
}

export function stateListCommand(environment: AppEnvironment, target: StateTarget): Promise<number> {
  return stateCommand(environment, target, (app) =>
    withState(app, target, async (store, config) => {
      const doc = await store.read();
      app.output.out(target.format === 'json' ? json(doc) : renderStateList(doc, config.accounts));
    }),
  );
}

export function stateShowCommand(environment: AppEnvironment, target: StateTarget, address: string): Promise<number> {
  return stateCommand(environment, target, (app) =>
    withState(app, target, async (store, config) => {
      const found = findRecorded(await store.read(), address, config.accounts);
      const live = await readLiveDetails(app, config, found, target.emulator);
      app.output.out(
        target.format === 'json'
          ? json(live ? { ...found, live } : found)
          : renderRecorded(found, config.accounts, live),
      );
    }),
  );
}

/** `state show` for people: the address as the Config names it, then each recorded field on its own line. */
export function renderRecorded(
  r: RecordedResource,
  aliases: AccountAliases,
  live?: Readonly<Record<string, string>>,
): string {
  const lines = [displayAddress(r, aliases)];
  for (const [key, value] of Object.entries(r)) {
    if (value === undefined) continue;
    lines.push(`  ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  for (const [key, value] of Object.entries(live ?? {})) lines.push(`  ${key} (live): ${value}`);
  return `${lines.join('\n')}\n`;
}

export function stateRmCommand(
  environment: AppEnvironment,
  target: StateTarget,
  addresses: readonly string[],
  options: { lockTimeoutSeconds?: number },
): Promise<number> {
  return stateCommand(environment, target, (app) =>
    withState(app, target, async (store, config) => {
      if (addresses.length === 0) {
        throw new CfgitopsError('E_USAGE', 'state rm needs at least one address before the directory', {
          hint: 'cfgitops state rm ADDRESS… [DIR]; list what is recorded with `cfgitops state list DIR`',
        });
      }
      const timeout = options.lockTimeoutSeconds ?? config.lockTimeoutSeconds;
      const lock = await store.lock('state rm', timeout * 1000);
      try {
        const found = addresses.map((a) => findRecorded(lock.current(), a, config.accounts));
        await lock.commit(found.map((r) => ({ type: 'remove-resource' as const, key: addressKey(r) })));
        if (target.format === 'json') {
          const removed = found.map((r) => ({ address: displayAddress(r, config.accounts), kind: r.kind, id: r.id }));
          app.output.out(json({ ok: true, removed }));
          return;
        }
        for (const r of found) {
          app.output.out(
            `Removed ${displayAddress(r, config.accounts)} from state; Cloudflare ${r.kind} ${r.id} is left as it is, unmanaged.\n`,
          );
        }
      } finally {
        await lock.release();
      }
    }),
  );
}
