/**
 * `rotate`: new values for managed tokens — same id, same permissions (Cloudflare's roll, docs/cloudflare-api.md) — delivered to
 * their sinks. Selection reads the state under the lock; the rolls run through `executePlan` like any apply, so a
 * run that dies mid-rotation is finished by the next plan (the roll intents and `undelivered` records say what).
 */
import type { App } from '../app.js';
import { CfgitopsError } from '../errors.js';
import type { ApplyResult, ProgressEvent } from '../executor/apply-result.js';
import { assertValueSinksReady } from '../executor/check-value-sinks.js';
import { executePlan } from '../executor/execute-plan.js';
import { configDigest } from '../config/config-digest.js';
import type { LoadedManifests } from '../manifest/types.js';
import { PLAN_FORMAT_VERSION, summarize, type Plan, type PlanStep } from '../planner/plan.js';
import { addressKey } from '../resources.js';
import type { RecordedResource, StateDocument } from '../state/types.js';
import { loadManifestsFor } from './load.js';

export interface RotateRequest {
  dir: string;
  /** metadata.names; empty: every managed token. */
  names: readonly string[];
  /** Only values issued longer ago than this (ms); a value of unknown age always qualifies. */
  olderThanMs?: number;
  dryRun: boolean;
  emulator: boolean;
  lockTimeoutSeconds?: number;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** Called with the roll plan before it runs (progress estimates). */
  onPlan?: (plan: Plan, rateLimit: { requests: number; windowSeconds: number }) => void;
}

/** A selected token the run will not roll (gone from Cloudflare, or mid-way through another run's roll). */
export interface RotateSkip {
  resource: string;
  why: string;
}

export type RotateOutcome =
  | { kind: 'dry-run'; selected: RollTarget[]; skipped: RotateSkip[] }
  | { kind: 'nothing'; skipped: RotateSkip[] }
  | { kind: 'rotated'; plan: Plan; result: ApplyResult; skipped: RotateSkip[] };

export async function rotateWorkflow(app: App, request: RotateRequest): Promise<RotateOutcome> {
  const manifests = await loadManifestsFor(app, request.dir);
  const now = app.clock.now();
  if (request.dryRun) {
    const { state } = app.stores(manifests.config, { emulator: request.emulator });
    try {
      const doc = await state.read();
      const { selected, skipped } = selectTokens(doc, request, now);
      return { kind: 'dry-run', selected, skipped };
    } finally {
      await state.close();
    }
  }
  const target = await app.connect(manifests.config, { emulator: request.emulator, operation: 'rotate' });
  try {
    const timeout = request.lockTimeoutSeconds ?? manifests.config.lockTimeoutSeconds;
    const lock = await target.state.lock('rotate', timeout * 1000);
    try {
      const doc = lock.current();
      const { selected, skipped } = selectTokens(doc, request, now);
      // One token list per account confirms each id still exists, so a token deleted out of band is reported
      // (apply re-creates it) instead of failing its roll with a 404.
      const accounts = [...new Set(selected.map((t) => t.record.account))].sort();
      const liveIds = new Set<string>();
      for (const account of accounts) {
        for (const t of await target.api.listTokens(account, request.signal)) liveIds.add(`${account}/${t.id}`);
      }
      const live = selected.filter((t) => liveIds.has(`${t.record.account}/${t.record.id}`));
      for (const t of selected) {
        if (live.includes(t)) continue;
        skipped.push({
          resource: addressKey(t.record),
          why: `token ${t.record.id} no longer exists at Cloudflare; run apply to re-create it`,
        });
      }
      if (live.length === 0) return { kind: 'nothing', skipped };
      const plan = rollSecretPlan(live, doc, manifests, now);
      await assertValueSinksReady(plan, target.sinks);
      request.onPlan?.(plan, target.rateLimit);
      const result = await executePlan(plan, {
        api: target.api,
        lock,
        sinks: target.sinks,
        tsigSecrets: new Map(),
        clock: app.clock,
        newId: () => app.newId(),
        log: app.log,
        concurrency: manifests.config.api.concurrency,
        ...(request.signal ? { signal: request.signal } : {}),
        ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      });
      return { kind: 'rotated', plan, result, skipped };
    } finally {
      await lock.release();
    }
  } finally {
    await target.close();
  }
}

/** Pure: the recorded tokens to roll, by name and age. Unknown names are an error (a typo must not rotate nothing). */
export function selectTokens(
  state: StateDocument,
  request: Pick<RotateRequest, 'names' | 'olderThanMs'>,
  now: number,
): { selected: RollTarget[]; skipped: RotateSkip[] } {
  const tokens = Object.values(state.resources)
    .filter((r) => r.kind === 'AccountToken')
    .sort((a, b) => (addressKey(a) < addressKey(b) ? -1 : 1));
  const unknown = request.names.filter((n) => !tokens.some((t) => t.name === n));
  if (unknown.length > 0) {
    throw new CfgitopsError('E_STATE_NOT_FOUND', `no managed token named ${unknown.map((n) => `"${n}"`).join(', ')}`, {
      hint:
        tokens.length > 0
          ? `managed tokens: ${[...new Set(tokens.map((t) => t.name))].join(', ')}`
          : 'no token is managed yet: apply first',
    });
  }
  const busy = new Set(Object.values(state.pending).map((i) => addressKey(i)));
  const selected: RollTarget[] = [];
  const skipped: RotateSkip[] = [];
  for (const record of tokens) {
    if (request.names.length > 0 && !request.names.includes(record.name)) continue;
    const reason = ageReason(record, request.olderThanMs, now);
    if (reason === undefined) continue;
    if (busy.has(addressKey(record))) {
      skipped.push({
        resource: addressKey(record),
        why: 'an interrupted run left a journal intent on it; run apply first',
      });
      continue;
    }
    if (!record.sink) {
      skipped.push({ resource: addressKey(record), why: 'no sink is recorded for its value; run apply first' });
      continue;
    }
    selected.push({ record, reason });
  }
  return { selected, skipped };
}

function ageReason(record: RecordedResource, olderThanMs: number | undefined, now: number): string | undefined {
  const issued = record.value_issued_at === undefined ? NaN : Date.parse(record.value_issued_at);
  if (Number.isNaN(issued)) return 'rotate: the value’s age is unknown';
  const age = now - issued;
  if (olderThanMs !== undefined && age < olderThanMs) return undefined;
  return `rotate: value issued ${formatAge(age)} ago (${record.value_issued_at ?? ''})`;
}

function formatAge(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  if (days >= 1) return `${days}d`;
  const hours = Math.floor(ms / 3_600_000);
  return hours >= 1 ? `${hours}h` : `${Math.max(0, Math.floor(ms / 60_000))}m`;
}

/**
 * A plan made only of `roll-secret` steps, for `rotate` and `import --roll`: rolling a token is then exactly what an
 * apply does (journaled intent, record before sink, `undelivered` on a failed sink write), in one place — the executor.
 */
export interface RollTarget {
  record: RecordedResource;
  reason: string;
}

export function rollSecretPlan(
  targets: readonly RollTarget[],
  state: StateDocument,
  manifests: LoadedManifests,
  now: number,
): Plan {
  const steps: PlanStep[] = targets.map(({ record, reason }) => {
    const address = { kind: record.kind, account: record.account, name: record.name };
    const source = manifests.resources.find((r) => addressKey(r.address) === addressKey(address))?.source;
    return {
      id: `roll-secret:${addressKey(address)}`,
      action: 'roll-secret',
      address,
      cfName: record.cf_name,
      targetId: record.id,
      reason,
      ...(source ? { source } : {}),
      diff: [],
      dependsOn: [],
      ...(record.sink ? { sink: record.sink } : {}),
      rollValue: true,
    };
  });
  return {
    format_version: PLAN_FORMAT_VERSION,
    created_at: new Date(now).toISOString(),
    manifests_digest: manifests.digest,
    config_digest: configDigest(manifests.config),
    state: { lineage: state.lineage, serial: state.serial },
    steps,
    summary: summarize(steps),
    warnings: [],
  };
}
