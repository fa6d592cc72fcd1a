/**
 * Planning an account token (pure): permission groups resolved by name against the account's catalog, the value's
 * sink checked, and — for a recorded live token — expiry, revocation, undelivered values and moved sinks turned
 * into a roll or a re-create as the config says.
 */
import type { CfToken } from '../../cloudflare/types.js';
import { CfgitopsError } from '../../errors.js';
import type { DesiredToken } from '../../manifest/types.js';
import { tokenAdoptMode } from '../../planner/adopt-mode.js';
import { parseInstant } from '../../planner/instant.js';
import type { PlanStep } from '../../planner/plan.js';
import { sinkDestinationChanged } from '../../planner/plan-config.js';
import type { PlanContext } from '../../planner/plan-context.js';
import { driftReason, makeStep, type PlanOutput } from '../../planner/plan-output.js';
import { withRotation } from '../../planner/plan-rotation.js';
import { buildTokenBody } from '../../planner/token-body.js';
import { addressKey } from '../../resources.js';
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
): PlanStep {
  const step = planTokenState(ctx, adapter, rec, live, intent, common);
  return withRotation(ctx, d, rec, live, step, adapter.body);
}

function planTokenState(
  ctx: PlanContext,
  adapter: Adapter,
  rec: RecordedResource,
  live: CfToken,
  intent: Intent | undefined,
  common: StepFields,
): PlanStep {
  const { config, now } = ctx.input;
  const expiresAt = live.expires_on === undefined ? undefined : parseInstant(live.expires_on);
  const expired =
    live.status === 'expired' || (live.status === 'active' && expiresAt !== undefined && expiresAt <= now);
  const revoked = live.status === 'revoked (exposed)';
  const rolls: string[] = [];
  if (expired || revoked) {
    const mode = revoked ? config.tokens.onRevoked : config.tokens.onExpired;
    const setting = revoked ? 'tokens.onRevoked' : 'tokens.onExpired';
    const what = revoked ? 'revoked (exposed) by Cloudflare' : 'expired';
    if (mode === 'recreate') {
      const diff = adapter.compare(live);
      const reason = `token ${what}: re-create with a new id and value (${setting}: recreate)`;
      return makeStep('replace', { ...common, reason, diff, body: adapter.body, rollValue: true });
    }
    rolls.push(`token ${what} (${setting}: roll)`);
  }
  if (rec.value_status === 'undelivered') rolls.push('value never reached its sink');
  const sink = adapter.sink;
  // An external value (tokens.onAdopt: keep) was never in a sink: moving the sink moves nothing, so no roll.
  const inSink = rec.value_status !== 'external';
  if (inSink && sink && rec.sink && (rec.sink.sink !== sink.sink || rec.sink.key !== sink.key)) {
    rolls.push(`sink changed from ${rec.sink.sink}:${rec.sink.key} to ${sink.sink}:${sink.key}: deliver a new value`);
  } else if (
    inSink &&
    sink &&
    sinkDestinationChanged(ctx.input.state.applied_config?.sinks[sink.sink], config.sinks[sink.sink])
  ) {
    rolls.push(`sink ${sink.sink} now delivers elsewhere: deliver a new value there`);
  }
  if (intent?.op === 'roll') rolls.push(`an interrupted run was rolling its value (intent ${intent.id})`);
  const diff = adapter.compare(live);
  const changed = expired || revoked ? diff.filter((c) => c.path !== '/status') : diff;
  if (rolls.length > 0) {
    if (changed.length === 0)
      return makeStep('roll-secret', { ...common, reason: rolls.join('; '), diff, rollValue: true });
    const reason = `${driftReason(changed)}; also roll: ${rolls.join('; ')}`;
    return makeStep('update', { ...common, reason, diff: changed, body: adapter.body, rollValue: true });
  }
  if (changed.length === 0) return makeStep('no-op', { ...common, reason: 'in sync', diff: [] });
  return makeStep('update', { ...common, reason: driftReason(changed), diff: changed, body: adapter.body });
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
