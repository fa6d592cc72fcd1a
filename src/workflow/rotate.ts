/**
 * `rotate`: new values for managed tokens now, whatever their policy's schedule, each with its rotation strategy
 * (or `--strategy`): `overlap` delivers a successor token and bounds the old one by its grace, `roll` gives the same
 * id a new value (docs/rotation.md). Selection reads the state under the lock; the plan is the planner's own
 * (src/planner/plan-rotation.ts: the same `rotate` steps a due rotation gets in `apply`), restricted to the selected
 * tokens, and runs through `executePlan` like any apply, so a run that dies mid-rotation is finished by the next
 * plan. A selected token whose manifest is gone is rolled (nothing says how to create a successor).
 */
import type { App } from '../app.js';
import type { PacedRate } from '../cloudflare/pacer.js';
import { CfgitopsError } from '../errors.js';
import type { ApplyResult, ProgressEvent } from '../executor/apply-result.js';
import { assertValueSinksReady } from '../executor/check-value-sinks.js';
import { executePlan } from '../executor/execute-plan.js';
import { configDigest } from '../config/config-digest.js';
import type { LoadedManifests } from '../manifest/types.js';
import { PLAN_FORMAT_VERSION, summarize, type Plan, type PlanStep } from '../planner/plan.js';
import { addressKey } from '../resources.js';
import type { RecordedResource, StateDocument } from '../state/types.js';
import type { RotationStrategy } from '../config/types.js';
import { CfgitopsErrors } from '../errors.js';
import { observeLive, observeNeeds } from '../executor/observe.js';
import { planChanges } from '../planner/plan-changes.js';
import { tokenRotationPolicy } from '../planner/rotation-policy.js';
import { checkTokenQuota } from '../planner/token-quota.js';
import type { DesiredToken } from '../manifest/types.js';
import { formatAge } from '../duration.js';
import { loadManifestsFor } from './load.js';

export interface RotateRequest {
  dir: string;
  /** metadata.names; empty: every managed token. */
  names: readonly string[];
  /** Only values issued longer ago than this (ms); a value of unknown age always qualifies. */
  olderThanMs?: number;
  /** Overrides every selected token's own rotation strategy. */
  strategy?: RotationStrategy;
  dryRun: boolean;
  emulator: boolean;
  lockTimeoutSeconds?: number;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** Called with the roll plan before it runs (progress estimates). */
  onPlan?: (plan: Plan, rateLimit: PacedRate) => void;
}

/** A selected token the run will not roll (gone from Cloudflare, or mid-way through another run's roll). */
export interface RotateSkip {
  resource: string;
  why: string;
}

export type RotateOutcome =
  | {
      kind: 'dry-run';
      selected: RollTarget[];
      skipped: RotateSkip[];
      accounts: Readonly<Record<string, string>>;
    }
  | { kind: 'nothing'; skipped: RotateSkip[]; accounts: Readonly<Record<string, string>> }
  | {
      kind: 'rotated';
      plan: Plan;
      result: ApplyResult;
      skipped: RotateSkip[];
      /** The Config's account aliases, for showing addresses. */
      accounts: Readonly<Record<string, string>>;
      /** State after the run: which token id holds each address's value now (an overlap's successor). */
      state: StateDocument;
    };

export async function rotateWorkflow(app: App, request: RotateRequest): Promise<RotateOutcome> {
  const manifests = await loadManifestsFor(app, request.dir);
  const now = app.clock.now();
  if (request.dryRun) {
    const { state } = app.stores(manifests.config, { emulator: request.emulator });
    try {
      const doc = await state.read();
      const { selected, skipped } = selectTokens(doc, request, now);
      const withStrategy = selected.map((t) => ({
        ...t,
        reason: `${t.reason}, strategy ${strategyOf(manifests, t.record, request.strategy)}`,
      }));
      return { kind: 'dry-run', selected: withStrategy, skipped, accounts: manifests.config.accounts };
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
      if (selected.length === 0) return { kind: 'nothing', skipped, accounts: manifests.config.accounts };
      // The planner's own view (one list per kind per account, as a plan makes), so a rotation is planned exactly
      // as apply would plan a due one: the successor's body from the manifests, the predecessor's from Cloudflare.
      const live = await observeLive(
        target.api,
        observeNeeds(manifests.resources, doc, manifests.config.zones),
        request.signal,
      );
      const planned = planChanges({
        desired: manifests.resources,
        // TSIG secrets are not needed: only token steps are kept.
        secrets: new Map(),
        config: manifests.config,
        state: doc,
        live,
        now,
        manifestsDigest: manifests.digest,
        configDigest: configDigest(manifests.config),
        options: {
          prune: false,
          allowMassDelete: false,
          forceRotation: {
            reasons: new Map(selected.map((t) => [addressKey(t.record), t.reason])),
            ...(request.strategy !== undefined ? { strategy: request.strategy } : {}),
          },
        },
      });
      const tokenErrors = planned.errors.filter((e) => e.code !== 'E_TOKEN_QUOTA');
      if (tokenErrors.length > 0) throw new CfgitopsErrors(tokenErrors);
      const steps: PlanStep[] = [];
      const rolls: RollTarget[] = [];
      for (const t of selected) {
        const key = addressKey(t.record);
        const step = planned.plan.steps.find((s) => s.action !== 'delete-predecessor' && addressKey(s.address) === key);
        const liveToken = live.accounts[t.record.account]?.tokens.find((l) => l.id === t.record.id);
        if (step === undefined) {
          // Not in the manifests: rolled, as rotate always did.
          if (liveToken) rolls.push(t);
          else
            skipped.push({
              resource: key,
              why: `token ${t.record.id} no longer exists at Cloudflare; run apply to re-create it`,
            });
        } else if (step.rollValue === true) {
          // With the expired predecessor's delete it waits for (a token has one predecessor at a time).
          steps.push(...planned.plan.steps.filter((s) => step.dependsOn.includes(s.id)), step);
        } else {
          skipped.push({ resource: key, why: notRotatedWhy(step, t.record) });
        }
      }
      const plan = rollSecretPlan(rolls, doc, manifests, now);
      plan.steps.push(...steps);
      plan.summary = summarize(plan.steps);
      if (plan.steps.length === 0) return { kind: 'nothing', skipped, accounts: manifests.config.accounts };
      const quota = checkTokenQuota(plan.steps, live);
      if (quota.length > 0) throw new CfgitopsErrors(quota);
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
      return { kind: 'rotated', plan, result, skipped, accounts: manifests.config.accounts, state: lock.current() };
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
  return `rotate: value ${formatAge(age)} old (issued ${record.value_issued_at ?? ''})`;
}

function strategyOf(
  manifests: LoadedManifests,
  record: RecordedResource,
  forced: RotationStrategy | undefined,
): string {
  if (forced !== undefined) return forced;
  const d = manifests.resources.find(
    (r): r is DesiredToken => r.kind === 'AccountToken' && addressKey(r.address) === addressKey(record),
  );
  return d ? tokenRotationPolicy(d, manifests.config).strategy : 'roll (not in the manifests)';
}

/** Why a selected token gets no rotation this run, from the step the planner gave it instead. */
function notRotatedWhy(step: PlanStep, record: RecordedResource): string {
  if (step.action === 'create') return `token ${record.id} no longer exists at Cloudflare; run apply to re-create it`;
  const pred = record.predecessor;
  if (pred !== undefined) {
    return `its last overlap rotation's predecessor ${pred.id} lives until ${pred.expires_on ?? '(being bounded)'}: a token has one predecessor at a time; rotate after that, or use --strategy roll`;
  }
  return `planned as ${step.action} (${step.reason}); run apply first`;
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
