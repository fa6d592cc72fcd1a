/**
 * `import KIND NAME ID`: takes an existing Cloudflare resource under management as the declared resource NAME.
 * Checked before anything is written: NAME is declared with that kind, ID exists in that account, and neither is
 * recorded already. Recorded under the state lock with origin `imported`; the next plan shows any difference
 * between manifest and live as an update. A token's value cannot be read back, so it is recorded `undelivered`
 * (the next apply rolls it) — or, with `--roll`, rolled now through the executor like any apply; with
 * `tokens.onAdopt: keep` or the resource's `cfgitops.dev/on-adopt: keep` (and no `--roll`) it is recorded
 * `external` and left alone.
 */
import type { App } from '../app.js';
import { CfgitopsError } from '../errors.js';
import type { ApplyResult } from '../executor/apply-result.js';
import { assertValueSinksReady } from '../executor/check-value-sinks.js';
import { executePlan } from '../executor/execute-plan.js';
import type { DesiredResource } from '../manifest/types.js';
import { KINDS, kindOf, RESOURCE_KINDS, type ResourceKind } from '../kinds/registry.js';
import { addressKey, ANNOTATION_PREVENT_DESTROY, type AccountAliases } from '../resources.js';
import type { CloudflareApi } from '../cloudflare/types.js';
import type { RecordedResource } from '../state/types.js';
import { loadManifestsFor } from './load.js';
import { rollSecretPlan } from './rotate.js';

export interface ImportRequest {
  kind: ResourceKind;
  name: string;
  id: string;
  dir: string;
  roll: boolean;
  emulator: boolean;
  lockTimeoutSeconds?: number;
  /** SIGINT/SIGTERM: an interrupted import records nothing more than it has; a roll in flight finishes. */
  signal?: AbortSignal;
}

export interface ImportOutcome {
  record: RecordedResource;
  /** The Cloudflare name found live (the manifest's `spec.name` may differ: the next plan updates it). */
  liveName: string;
  target: string;
  /** The Config's `spec.accounts`, so the output can name the account as the manifests do. */
  accounts: AccountAliases;
  /** With --roll: the one-step roll. */
  roll?: ApplyResult;
}

/** Each kind by its name and its shorthands, in lower case. */
const KIND_ALIASES = new Map<string, ResourceKind>(
  KINDS.flatMap((k) => [k.kind.toLowerCase(), ...k.shorthands].map((alias) => [alias, k.kind] as const)),
);

export function parseKind(text: string): ResourceKind {
  const kind = KIND_ALIASES.get(text.toLowerCase());
  if (kind === undefined) {
    throw new CfgitopsError('E_USAGE', `unknown kind "${text}"`, {
      hint: `use one of ${RESOURCE_KINDS.join(', ')} (or ${KINDS.flatMap((k) => k.shorthands).join(', ')})`,
    });
  }
  return kind;
}

export async function importWorkflow(app: App, request: ImportRequest): Promise<ImportOutcome> {
  const manifests = await loadManifestsFor(app, request.dir);
  const desired = declared(manifests.resources, request);
  const { account } = desired.address;
  const target = await app.connect(manifests.config, { emulator: request.emulator, operation: 'import' });
  try {
    const timeout = request.lockTimeoutSeconds ?? manifests.config.lockTimeoutSeconds;
    const lock = await target.state.lock('import', timeout * 1000);
    try {
      const state = lock.current();
      const key = addressKey(desired.address);
      const existing = state.resources[key];
      if (existing) {
        throw new CfgitopsError('E_IMPORT_CONFLICT', `${key} is already managed (Cloudflare id ${existing.id})`, {
          location: desired.source,
          hint: 'import takes only resources cfgitops does not manage yet; `cfgitops state` lists what it manages',
        });
      }
      const holder = Object.values(state.resources).find(
        (r) =>
          r.kind === request.kind && r.account === account && (r.id === request.id || r.predecessor?.id === request.id),
      );
      if (holder) {
        throw new CfgitopsError(
          'E_IMPORT_CONFLICT',
          `Cloudflare id ${request.id} is already managed as ${addressKey(holder)}`,
          { hint: 'one Cloudflare resource can be managed under one name only' },
        );
      }
      const liveName = await liveNameOf(target.api, request.kind, account, request.id);
      // Interrupted while looking: stop before recording anything.
      if (request.signal?.aborted) {
        throw new CfgitopsError('E_ABORTED', 'import interrupted before anything was recorded', {
          hint: 'run the import again',
        });
      }
      const now = new Date(app.clock.now()).toISOString();
      const kind = kindOf(request.kind);
      const record: RecordedResource = {
        kind: request.kind,
        account,
        name: desired.address.name,
        id: request.id,
        cf_name: liveName,
        created_at: now,
        updated_at: now,
        origin: 'imported',
        ...kind.importedFields?.(desired, request.roll, manifests.config),
        ...(desired.annotations[ANNOTATION_PREVENT_DESTROY] === 'true' ? { prevent_destroy: true } : {}),
      };
      const roll = request.roll && kind.hasValue;
      const rollTargets = [{ record, reason: 'import --roll: the imported value is unknown to cfgitops' }];
      // Nothing recorded yet: a sink that cannot take the new value stops the import before any write.
      if (roll) await assertValueSinksReady(rollSecretPlan(rollTargets, state, manifests, 0), target.sinks);
      await lock.commit([{ type: 'put-resource', resource: record }]);
      const outcome: ImportOutcome = { record, liveName, target: target.describe, accounts: manifests.config.accounts };
      if (!roll) return outcome;
      const plan = rollSecretPlan(rollTargets, lock.current(), manifests, app.clock.now());
      const rolled = await executePlan(plan, {
        api: target.api,
        lock,
        sinks: target.sinks,
        tsigSecrets: new Map(),
        clock: app.clock,
        newId: () => app.newId(),
        log: app.log,
        concurrency: 1,
        ...(request.signal ? { signal: request.signal } : {}),
      });
      return { ...outcome, record: lock.current().resources[key] ?? record, roll: rolled };
    } finally {
      await lock.release();
    }
  } finally {
    await target.close();
  }
}

function declared(resources: readonly DesiredResource[], request: ImportRequest): DesiredResource {
  const byName = resources.filter((r) => r.address.name === request.name);
  const match = byName.filter((r) => r.kind === request.kind);
  if (match.length === 1 && match[0]) return match[0];
  if (match.length > 1) {
    throw new CfgitopsError(
      'E_IMPORT_NOT_DECLARED',
      `${request.kind} "${request.name}" is declared in ${match.length} accounts; import cannot tell which`,
      { hint: 'give the resources distinct metadata.names' },
    );
  }
  const other = byName[0];
  throw new CfgitopsError(
    'E_IMPORT_NOT_DECLARED',
    other
      ? `"${request.name}" is declared as a ${other.kind}, not a ${request.kind}`
      : `no ${request.kind} named "${request.name}" is declared in the manifests`,
    {
      ...(other ? { location: other.source } : {}),
      hint: 'declare the resource first (metadata.name is the NAME argument), then import its Cloudflare id',
    },
  );
}

/** Proves the id exists in that account (a GET for tokens, the list for peers and TSIGs) and returns its name. */
async function liveNameOf(api: CloudflareApi, kind: ResourceKind, account: string, id: string): Promise<string> {
  const name = await kindOf(kind).liveName(api, account, id);
  if (name !== undefined) return name;
  throw new CfgitopsError('E_API_NOT_FOUND', `no ${kind} with id ${id} exists in account ${account}`, {
    hint: 'check the id (and the account the manifest names); nothing was recorded',
  });
}
