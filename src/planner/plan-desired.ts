/**
 * One desired resource → at most one step: matched to state by address, to live by the recorded id, or (not
 * recorded, or after a crash) to exactly one unmanaged live resource by Cloudflare name.
 */
import type { CfPeer, CfToken, CfTsig } from '../cloudflare/types.js';
import { CfgitopsError } from '../errors.js';
import type { DesiredPeer, DesiredResource, DesiredToken, DesiredTsig } from '../manifest/types.js';
import { addressKey, type ResourceKind } from '../resources.js';
import { tokenAdoptMode } from './adopt-mode.js';
import type { Intent, RecordedResource, SinkRef } from '../state/types.js';
import { comparePeer, DEFAULT_PEER_PORT, peerCreationDiff } from './compare-peer.js';
import { compareToken, tokenCreationDiff } from './compare-token.js';
import { compareTsig, tsigCreationDiff } from './compare-tsig.js';
import { parseInstant } from './instant.js';
import { sinkDestinationChanged } from './plan-config.js';
import { changedFields } from './diff-policies.js';
import type { FieldChange, PlannedBody, PlannedPeerBody, PlanStep } from './plan.js';
import type { LiveByKind, PlanContext } from './plan-context.js';
import { makeStep, type PlanOutput } from './plan-output.js';
import { buildTokenBody } from './token-body.js';

interface Adapter<K extends ResourceKind> {
  body: PlannedBody;
  compare(live: LiveByKind[K]): FieldChange[];
  /** The diff of a create (computed only when creating). */
  creation(): FieldChange[];
  sink?: SinkRef;
}

const NOUN: Record<ResourceKind, string> = {
  SecondaryDnsTsig: 'TSIG key',
  SecondaryDnsPeer: 'peer',
  AccountToken: 'token',
};

/** Plans one desired resource; TSIGs must be planned before the peers that use them. */
export function planDesired(ctx: PlanContext, d: DesiredResource, out: PlanOutput): void {
  const adapter = adapterFor(ctx, d, out);
  if (!adapter) return;
  const key = addressKey(d.address);
  const rec = ctx.recorded.get(key);
  const intents = ctx.intentsByAddress.get(key) ?? [];
  const intent = intents.find((i) => i.op === 'create') ?? intents.find((i) => i.op === 'roll');
  const live = rec ? ctx.liveById(d.kind, d.address.account, rec.id) : undefined;
  let step: PlanStep | undefined;
  if (rec && live) {
    ctx.claim(d.kind, d.address.account, live.id);
    step = planExisting(ctx, d, adapter, rec, live, intent);
    warnOrphanOfIntent(ctx, d, intent, out);
  } else {
    step = planAbsent(ctx, d, adapter, rec, intent, out);
  }
  if (!step) return;
  out.steps.set(key, step);
  if (d.kind === 'SecondaryDnsTsig') {
    const knownId = step.action === 'create' || step.action === 'replace' ? undefined : step.targetId;
    out.tsigIds.set(key, knownId);
  }
}

function planExisting(
  ctx: PlanContext,
  d: DesiredResource,
  adapter: Adapter<ResourceKind>,
  rec: RecordedResource,
  live: LiveByKind[ResourceKind],
  intent: Intent | undefined,
): PlanStep {
  // Every step of a desired resource carries its annotations (even none), so the executor records
  // prevent-destroy — and clears it — on every action, no-op included.
  const common = stepFields(d, adapter, intent, live.id);
  if (d.kind === 'AccountToken') return planExistingToken(ctx, d, adapter, rec, live as CfToken, intent, common);
  const diff = adapter.compare(live);
  if (d.kind === 'SecondaryDnsPeer' && rec.complete === false) {
    return makeStep('update', { ...common, reason: 'finish create: PUT after POST', diff, body: adapter.body });
  }
  if (diff.length === 0) return makeStep('no-op', { ...common, reason: 'in sync', diff });
  return makeStep('update', { ...common, reason: driftReason(diff), diff, body: adapter.body });
}

function planExistingToken(
  ctx: PlanContext,
  d: DesiredToken,
  adapter: Adapter<ResourceKind>,
  rec: RecordedResource,
  live: CfToken,
  intent: Intent | undefined,
  common: Omit<PlanStep, 'id' | 'action' | 'dependsOn' | 'reason' | 'diff'>,
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
  const diff = (adapter as Adapter<'AccountToken'>).compare(live);
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

function planAbsent(
  ctx: PlanContext,
  d: DesiredResource,
  adapter: Adapter<ResourceKind>,
  rec: RecordedResource | undefined,
  intent: Intent | undefined,
  out: PlanOutput,
): PlanStep | undefined {
  const { account } = d.address;
  const noun = NOUN[d.kind];
  const createIntent = intent?.op === 'create' ? intent : undefined;
  // Recorded but gone: re-create, unless a crashed run's create of it may have landed (look that up by name).
  const names = createIntent ? [...new Set([createIntent.cf_name, d.spec.name])] : rec ? [] : [d.spec.name];
  const common = stepFields(d, adapter, intent, undefined);
  for (const name of names) {
    const found = ctx.unmanagedNamed(d.kind, account, name);
    if (found.length > 1) {
      out.errors.push(
        new CfgitopsError(
          'E_ADOPT_AMBIGUOUS',
          `${found.length} unmanaged ${noun}s named "${name}" exist in account ${account}; cannot tell which to adopt`,
          {
            location: d.locate('/spec/name'),
            hint: `delete or rename the extra ones in Cloudflare (ids ${found.map((f) => f.id).join(', ')}), or choose another name`,
          },
        ),
      );
      return undefined;
    }
    const live = found[0];
    if (!live) continue;
    ctx.claim(d.kind, account, live.id);
    const diff = adapter.compare(live);
    const origin = createIntent
      ? `created by an interrupted run (intent ${createIntent.id})`
      : `an unmanaged ${noun} named "${name}" exists`;
    const parts = [`${origin}: adopt it`];
    if (diff.length > 0) parts.push(`update ${changedFields(diff)}`);
    // A token a crashed run of ours created had its value in a response nobody read: always rolled. One that
    // predates cfgitops is in use somewhere: rolled only if the config says so.
    const adopt = d.kind === 'AccountToken' ? tokenAdoptMode(d.annotations, ctx.input.config) : undefined;
    const roll = adopt !== undefined && (createIntent !== undefined || adopt.mode === 'roll');
    if (roll) parts.push('roll its value (unknown to cfgitops)');
    else if (adopt) parts.push(`keep its value where it is (${adopt.setting}: keep)`);
    return makeStep('adopt', {
      ...common,
      targetId: live.id,
      reason: parts.join('; '),
      diff,
      body: adapter.body,
      ...(roll ? { rollValue: true } : {}),
    });
  }
  const reason = createIntent
    ? `an interrupted run did not create it (intent ${createIntent.id}): create`
    : rec
      ? `deleted out of band: re-create${d.kind === 'AccountToken' ? ' with a new value' : ''}`
      : `new ${noun}: create`;
  return makeStep('create', { ...common, reason, diff: adapter.creation(), body: adapter.body });
}

/** A create intent on a resource that is recorded and alive: a crashed replace may have left an extra one. */
function warnOrphanOfIntent(ctx: PlanContext, d: DesiredResource, intent: Intent | undefined, out: PlanOutput): void {
  if (intent?.op !== 'create') return;
  const orphans = ctx.unmanagedNamed(d.kind, d.address.account, intent.cf_name);
  if (orphans.length === 0) return;
  out.warnings.push({
    code: 'W_INTENT_ORPHAN',
    message: `an interrupted run (intent ${intent.id}) may have created unmanaged ${NOUN[d.kind]}(s) named "${intent.cf_name}" (ids ${orphans.map((o) => o.id).join(', ')}); delete them in Cloudflare if unused`,
    source: d.source,
  });
}

/**
 * The fields every step of a desired resource starts with, in plan order. Built by assignment: conditional
 * spreads between literal properties run ~5× slower in V8, and this runs once per resource.
 */
function stepFields(
  d: DesiredResource,
  adapter: Adapter<ResourceKind>,
  intent: Intent | undefined,
  targetId: string | undefined,
): Omit<PlanStep, 'id' | 'action' | 'dependsOn' | 'reason' | 'diff'> {
  const fields: Omit<PlanStep, 'id' | 'action' | 'dependsOn' | 'reason' | 'diff'> = {
    address: d.address,
    cfName: d.spec.name,
  };
  if (targetId !== undefined) fields.targetId = targetId;
  fields.source = d.source;
  // The executor records prevent-destroy from these on every step, not only on deletes.
  fields.annotations = Object.keys(d.annotations).length > 0 ? { ...d.annotations } : d.annotations;
  if (adapter.sink) fields.sink = adapter.sink;
  if (intent) fields.resolvesIntent = intent.id;
  return fields;
}

function driftReason(diff: readonly FieldChange[]): string {
  return `live differs from manifest: ${changedFields(diff)}`;
}

function adapterFor(ctx: PlanContext, d: DesiredResource, out: PlanOutput): Adapter<ResourceKind> | undefined {
  switch (d.kind) {
    case 'SecondaryDnsTsig':
      return tsigAdapter(ctx, d);
    case 'SecondaryDnsPeer':
      return peerAdapter(ctx, d, out);
    case 'AccountToken':
      return tokenAdapter(ctx, d, out);
  }
}

function tsigAdapter(ctx: PlanContext, d: DesiredTsig): Adapter<'SecondaryDnsTsig'> {
  const body = { kind: 'SecondaryDnsTsig', name: d.spec.name, algo: d.spec.algo } as const;
  const secret = ctx.input.secrets.get(addressKey(d.address));
  return { body, compare: (live: CfTsig) => compareTsig(body, secret, live), creation: () => tsigCreationDiff(body) };
}

function peerAdapter(ctx: PlanContext, d: DesiredPeer, out: PlanOutput): Adapter<'SecondaryDnsPeer'> | undefined {
  const { spec } = d;
  const body: PlannedPeerBody = {
    kind: 'SecondaryDnsPeer',
    name: spec.name,
    ...(spec.ip !== undefined ? { ip: spec.ip } : {}),
    port: spec.port ?? DEFAULT_PEER_PORT,
    ixfr_enable: spec.ixfr_enable ?? false,
  };
  if (spec.tsig !== undefined) {
    const tsigKey = addressKey({ kind: 'SecondaryDnsTsig', account: d.address.account, name: spec.tsig });
    if (!ctx.desiredByKey.has(tsigKey)) {
      out.errors.push(
        new CfgitopsError('E_UNRESOLVED_REFERENCE', `no SecondaryDnsTsig named "${spec.tsig}" in this account`, {
          location: d.locate('/spec/tsig'),
          hint: 'declare the TSIG key, or use tsig_id for one cfgitops does not manage',
        }),
      );
      return undefined;
    }
    out.peerTsig.set(addressKey(d.address), tsigKey);
    const id = out.tsigIds.get(tsigKey);
    if (id !== undefined) body.tsig_id = id;
    else body.tsig_ref = tsigKey;
  } else if (spec.tsig_id !== undefined) {
    body.tsig_id = spec.tsig_id;
  }
  return { body, compare: (live: CfPeer) => comparePeer(body, live), creation: () => peerCreationDiff(body) };
}

function tokenAdapter(ctx: PlanContext, d: DesiredToken, out: PlanOutput): Adapter<'AccountToken'> | undefined {
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
    compare: (live: CfToken) => compareToken(token.body, live, catalog),
    creation: () => tokenCreationDiff(token.body, catalog),
    sink,
  };
}
