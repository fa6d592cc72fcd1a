/**
 * Planning an account token (pure): permission groups resolved by name against the account's catalog, the value's
 * sink checked, and — for a recorded live token — its lifecycle (docs/token-lifecycle.md): a half-finished create,
 * expiry, exposure, undelivered values and moved sinks turned into an update, a roll, a re-create or a warning.
 */
import type { CfToken } from '../../cloudflare/types.js';
import { CfgitopsError } from '../../errors.js';
import type { DesiredToken } from '../../manifest/types.js';
import { tokenAdoptMode } from '../../planner/adopt-mode.js';
import { formatInstant, parseInstant } from '../../planner/instant.js';
import type { FieldChange, PlannedTokenBody, PlanStep } from '../../planner/plan.js';
import { sinkDestinationChanged } from '../../planner/plan-config.js';
import type { PlanContext } from '../../planner/plan-context.js';
import { driftReason, makeStep, type PlanOutput } from '../../planner/plan-output.js';
import { withRotation } from '../../planner/plan-rotation.js';
import { buildTokenBody } from '../../planner/token-body.js';
import { addressKey } from '../../resources.js';
import { staleAfterMove } from './stale-sinks.js';
import type { Intent, RecordedResource, SinkRef } from '../../state/types.js';
import type { Adapter, StepFields } from '../kind.js';
import { compareToken, tokenCreationDiff } from './compare.js';

export function tokenAdapter(ctx: PlanContext, d: DesiredToken, out: PlanOutput): Adapter | undefined {
  const catalog = ctx.catalog(d.address.account);
  const { token, errors } = buildTokenBody(d, catalog);
  const { config } = ctx.input;
  const sink: SinkRef = { sink: d.spec.secret?.sink ?? config.defaultSink, key: d.spec.secret?.key ?? d.address.name };
  if (!Object.hasOwn(config.sinks, sink.sink)) {
    errors.push(
      new CfgitopsError('E_SINK_UNKNOWN', `sink "${sink.sink}" is not configured`, {
        location: d.locate('/spec/secret/sink'),
        hint: `configure it under sinks, or use one of: ${Object.keys(config.sinks).sort().join(', ') || '(none)'}`,
      }),
    );
  }
  if (errors.length > 0) {
    out.errors.push(...errors);
    return undefined;
  }
  out.resolvedTokens.set(addressKey(d.address), token);
  const body = { kind: 'AccountToken', body: token.body } as const;
  return {
    body,
    compare: (live) => compareToken(token.body, live as CfToken, catalog),
    creation: () => tokenCreationDiff(token.body, catalog),
    sink,
  };
}

/** The step of a recorded, live token: what its state calls for, or a rotation when its value is due. */
export function planExistingToken(
  ctx: PlanContext,
  d: DesiredToken,
  adapter: Adapter,
  rec: RecordedResource,
  live: CfToken,
  intent: Intent | undefined,
  common: StepFields,
  out: PlanOutput,
): PlanStep {
  const step = planTokenState(ctx, d, adapter, rec, live, intent, common, out);
  return withRotation(ctx, d, rec, live, step, adapter.body);
}

/** A token whose expiry is this close gets a W_TOKEN_EXPIRING warning on every plan, so it is never a surprise. */
export const EXPIRING_WITHIN_MS = 7 * 24 * 60 * 60 * 1000;

interface TokenPlanning {
  d: DesiredToken;
  body: PlannedTokenBody;
  rec: RecordedResource;
  live: CfToken;
  intent: Intent | undefined;
  /** The live token compared with the manifest (status included). */
  diff: FieldChange[];
  common: StepFields;
}

/** What finding a token's old values needs: its manifest, its record and the sink this step delivers to. */
type SinkOwner = Pick<TokenPlanning, 'd' | 'rec' | 'common'>;

/** `expires_on` of the manifest when it is already past: the token's declared life is over. */
export function declaredExpiry(body: PlannedTokenBody, now: number): string | undefined {
  const at = body.body.expires_on;
  const ms = at === undefined ? undefined : parseInstant(at);
  return ms !== undefined && ms <= now ? formatInstant(ms) : undefined;
}

/**
 * A recorded, live token through its life (docs/token-lifecycle.md): half-created (POST done, status PUT not),
 * expiring, expired, revoked as exposed. Each is a planned event — a step, a warning — never a planning error.
 */
function planTokenState(
  ctx: PlanContext,
  d: DesiredToken,
  adapter: Adapter,
  rec: RecordedResource,
  live: CfToken,
  intent: Intent | undefined,
  common: StepFields,
  out: PlanOutput,
): PlanStep {
  const body = adapter.body as PlannedTokenBody;
  const t: TokenPlanning = { d, body, rec, live, intent, diff: adapter.compare(live), common };
  const { config, now } = ctx.input;
  const { diff } = t;
  if (live.status === 'revoked (exposed)') {
    // A leaked value: whoever found it may still hold it, and the id is on record as compromised. Rolling would
    // keep that id alive; a new token (new id, new value) with the leaked one deleted is the only clean answer.
    const notRolled =
      config.tokens.onRevoked === 'roll' ? '; tokens.onRevoked: roll is not applied, a leaked id is never rolled' : '';
    const reason = `SECURITY: Cloudflare revoked this token as exposed (its value leaked): delete the leaked token and create a new one with a new id and value${notRolled}`;
    return makeStep('replace-exposed', { ...common, reason, diff, body, rollValue: true, ...oldValuesOf(ctx, t, out) });
  }
  const liveExpiry = live.expires_on === undefined ? undefined : parseInstant(live.expires_on);
  const expired =
    live.status === 'expired' || (live.status === 'active' && liveExpiry !== undefined && liveExpiry <= now);
  const rolls: string[] = [];
  if (expired) {
    const ended = declaredExpiry(body, now);
    if (ended !== undefined) {
      // Re-creating or rolling cannot help: the manifest itself says the token ends at a time already past.
      out.warnings.push({
        code: 'W_TOKEN_EXPIRED',
        message: `${addressKey(rec)} expired on ${ended}, as its manifest declares; nothing is done until spec.expires_on is moved later (then tokens.onExpired: ${config.tokens.onExpired} applies) or the manifest is removed (the token is then deleted with --prune)`,
        source: t.d.source,
      });
      return makeStep('no-op', { ...common, reason: `expired on ${ended}, as declared`, diff: [] });
    }
    const when = live.expires_on === undefined ? '' : ` on ${live.expires_on}`;
    if (config.tokens.onExpired === 'recreate') {
      const reason = `token expired${when}: re-create it with a new id and value (tokens.onExpired: recreate)`;
      return makeStep('replace', { ...common, reason, diff, body, rollValue: true, ...oldValuesOf(ctx, t, out) });
    }
    rolls.push(`token expired${when} (tokens.onExpired: roll)`);
  } else {
    warnExpiring(ctx, t, liveExpiry, out);
  }
  if (rec.value_status === 'undelivered') rolls.push('value never reached its sink');
  rolls.push(...sinkMoves(ctx, t));
  if (t.intent?.op === 'roll') rolls.push(`an interrupted run was rolling its value (intent ${t.intent.id})`);
  // A create of a `disabled` token is a POST then a status PUT; a run that died between them left `complete: false`.
  const unfinished = rec.complete === false ? 'finish create: PUT the declared status after the POST' : undefined;
  // An expired token's PUT carries the manifest's (later) expiry and status: that is what revives it before the roll.
  const changed = expired ? diff.filter((c) => c.path !== '/status') : diff;
  const mustPut = changed.length > 0 || unfinished !== undefined || expired;
  const old = oldValues(ctx, t, out);
  const removals = removalsOf(old);
  if (rolls.length > 0 && !mustPut) {
    return makeStep('roll-secret', { ...common, reason: rolls.join('; '), diff, rollValue: true, ...removals });
  }
  if (!mustPut && old.length > 0) {
    const from = old.map((r) => `${r.sink}:${r.key}`).join(', ');
    const reason = `an old value of this token is still recorded in its former sink ${from} (a run stopped after delivering the new value): remove it`;
    return makeStep('remove-old-value', { ...common, reason, diff: [], ...removals });
  }
  if (!mustPut) return makeStep('no-op', { ...common, reason: 'in sync', diff: [] });
  const why = [unfinished, changed.length > 0 ? driftReason(changed) : undefined]
    .filter((w): w is string => w !== undefined)
    .join('; ');
  const reason = rolls.length === 0 ? why : why === '' ? rolls.join('; ') : `${why}; also roll: ${rolls.join('; ')}`;
  return makeStep('update', {
    ...common,
    reason,
    diff: changed,
    body,
    ...(rolls.length > 0 ? { rollValue: true } : {}),
    ...removals,
  });
}

/**
 * Former sinks holding an old value of the token once this step's value is delivered: those recorded as stale and,
 * when the sink changes now, the one it leaves. A former sink no longer configured cannot be reached: a warning says
 * to remove the value by hand, and its entry stays in state.
 */
function oldValues(ctx: PlanContext, t: SinkOwner, out: PlanOutput): SinkRef[] {
  const sink = t.common.sink;
  if (!sink) return [];
  const stale = staleAfterMove(t.rec, sink);
  const reachable = stale.filter((r) => Object.hasOwn(ctx.input.config.sinks, r.sink));
  for (const r of stale.filter((s) => !reachable.includes(s))) {
    out.warnings.push({
      code: 'W_STALE_SINK_UNCONFIGURED',
      message: `${addressKey(t.rec)}: an old value may remain in sink "${r.sink}" (key ${r.key}), which is no longer configured; delete it there by hand, then drop stale_sinks from the record (cfgitops state rm and import, or edit the state)`,
      source: t.d.source,
    });
  }
  return reachable;
}

function removalsOf(old: SinkRef[]): { removeOldValues?: SinkRef[] } {
  return old.length > 0 ? { removeOldValues: old } : {};
}

function oldValuesOf(ctx: PlanContext, t: SinkOwner, out: PlanOutput): { removeOldValues?: SinkRef[] } {
  return removalsOf(oldValues(ctx, t, out));
}

/**
 * A recorded token gone from Cloudflare is re-created with a new value: a former sink of its old (now dead) value
 * is cleared after the new one is delivered, as after a roll towards a new sink.
 */
export function tokenRecreateFields(
  ctx: PlanContext,
  d: DesiredToken,
  rec: RecordedResource,
  common: StepFields,
  out: PlanOutput,
): { removeOldValues?: SinkRef[] } {
  return oldValuesOf(ctx, { d, rec, common }, out);
}

function sinkMoves(ctx: PlanContext, t: TokenPlanning): string[] {
  const { rec } = t;
  const sink = t.common.sink;
  // An external value (tokens.onAdopt: keep) was never in a sink: moving the sink moves nothing, so no roll.
  if (rec.value_status === 'external' || !sink || !rec.sink) return [];
  if (rec.sink.sink !== sink.sink || rec.sink.key !== sink.key) {
    return [`sink changed from ${rec.sink.sink}:${rec.sink.key} to ${sink.sink}:${sink.key}: deliver a new value`];
  }
  const { config, state } = ctx.input;
  if (sinkDestinationChanged(state.applied_config?.sinks[sink.sink], config.sinks[sink.sink])) {
    return [`sink ${sink.sink} now delivers elsewhere: deliver a new value there`];
  }
  return [];
}

function warnExpiring(ctx: PlanContext, t: TokenPlanning, expiry: number | undefined, out: PlanOutput): void {
  if (expiry === undefined || t.live.status !== 'active') return;
  const left = expiry - ctx.input.now;
  if (left > EXPIRING_WITHIN_MS) return;
  const days = Math.max(0, Math.floor(left / 86_400_000));
  out.warnings.push({
    code: 'W_TOKEN_EXPIRING',
    message: `${addressKey(t.rec)} expires on ${t.live.expires_on} (in ${days} day(s)); move spec.expires_on later to keep it, or plan its successor`,
    source: t.d.source,
  });
}

/**
 * A declared token whose `expires_on` has passed and that does not exist: creating it would mint a value that
 * cannot be used. A record or intent left over is dropped; the warning says how to renew it.
 */
export function tokenInsteadOfCreate(
  ctx: PlanContext,
  d: DesiredToken,
  adapter: Adapter,
  rec: RecordedResource | undefined,
  createIntent: Intent | undefined,
  common: StepFields,
  out: PlanOutput,
): { step: PlanStep | undefined } | undefined {
  const ended = declaredExpiry(adapter.body as PlannedTokenBody, ctx.input.now);
  if (ended === undefined) return undefined;
  out.warnings.push({
    code: 'W_TOKEN_EXPIRED',
    message: `${addressKey(d.address)} is declared with expires_on ${ended}, already past, so it is not ${rec ? 're-' : ''}created; move spec.expires_on later to create it, or remove the manifest`,
    source: d.source,
  });
  if (!rec && !createIntent) return { step: undefined };
  const what = rec
    ? 'gone from Cloudflare and expired as declared'
    : 'an interrupted run did not create it and it is expired as declared';
  return { step: makeStep('forget', { ...common, reason: `${what}: drop from state`, diff: [] }) };
}

/**
 * A token a crashed run of ours created had its value in a response nobody read: always rolled. One that predates
 * cfgitops is in use somewhere: rolled only if the config says so.
 */
export function tokenAdoptValue(
  ctx: PlanContext,
  d: DesiredToken,
  byCrashedRun: boolean,
): { roll: boolean; note: string } {
  const adopt = tokenAdoptMode(d.annotations, ctx.input.config);
  const roll = byCrashedRun || adopt.mode === 'roll';
  return {
    roll,
    note: roll ? 'roll its value (unknown to cfgitops)' : `keep its value where it is (${adopt.setting}: keep)`,
  };
}
