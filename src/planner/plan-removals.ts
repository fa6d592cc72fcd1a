/**
 * Recorded resources that are no longer desired (delete with prune, forget when already gone, warn otherwise),
 * and journal intents of crashed runs whose resource is no longer desired (delete what they created, or forget).
 */
import type { ResourceAddress } from '../resources.js';
import type { Intent } from '../state/types.js';
import type { PlanContext } from './plan-context.js';
import { makeStep, type PlanOutput } from './plan-output.js';

export function planRemovals(ctx: PlanContext, out: PlanOutput): void {
  const prune = ctx.input.options.prune || ctx.input.config.prune;
  for (const [key, rec] of ctx.recorded) {
    if (ctx.desiredByKey.has(key)) continue;
    const address: ResourceAddress = { kind: rec.kind, account: rec.account, name: rec.name };
    const intent = ctx.intentsByAddress.get(key)?.[0];
    const resolves = intent ? { resolvesIntent: intent.id } : {};
    const live = ctx.liveById(rec.kind, rec.account, rec.id);
    if (live) ctx.claim(rec.kind, rec.account, live.id);
    if (!live) {
      // A crashed replace may have left a new one under the intent's name: deleting it also drops the record.
      const orphan =
        intent?.op === 'create' ? single(ctx.unmanagedNamed(rec.kind, rec.account, intent.cf_name)) : undefined;
      if (orphan && intent) {
        ctx.claim(rec.kind, rec.account, orphan.id);
        out.steps.set(
          key,
          makeStep('delete', {
            address,
            cfName: intent.cf_name,
            targetId: orphan.id,
            reason: `created by an interrupted run (intent ${intent.id}) and no longer in manifests`,
            diff: [{ path: '/name', before: orphan.name }],
            ...resolves,
          }),
        );
        continue;
      }
      out.steps.set(
        key,
        makeStep('forget', {
          address,
          cfName: rec.cf_name,
          reason: 'not in manifests and already gone from Cloudflare: drop from state',
          diff: [],
          ...resolves,
        }),
      );
      continue;
    }
    if (!prune) {
      out.warnings.push({
        code: 'W_NOT_IN_MANIFESTS',
        message: `${key} is in state but not in manifests; run with --prune to delete it`,
      });
      continue;
    }
    out.steps.set(
      key,
      makeStep('delete', {
        address,
        cfName: rec.cf_name,
        targetId: live.id,
        reason: 'not in manifests (--prune)',
        diff: [{ path: '/name', before: live.name }],
        ...resolves,
        ...(rec.prevent_destroy ? { annotations: { 'cfgitops.dev/prevent-destroy': 'true' } } : {}),
      }),
    );
  }
  for (const [key, intents] of ctx.intentsByAddress) {
    if (ctx.desiredByKey.has(key) || ctx.recorded.has(key)) continue;
    planOrphanIntent(ctx, key, intents[0]!, out);
  }
}

function planOrphanIntent(ctx: PlanContext, key: string, intent: Intent, out: PlanOutput): void {
  const address: ResourceAddress = { kind: intent.kind, account: intent.account, name: intent.name };
  const found = intent.op === 'create' ? ctx.unmanagedNamed(intent.kind, intent.account, intent.cf_name) : [];
  if (found.length > 1) {
    out.warnings.push({
      code: 'W_INTENT_AMBIGUOUS',
      message: `an interrupted run (intent ${intent.id}) created ${key}, but ${found.length} unmanaged resources are named "${intent.cf_name}" (ids ${found.map((f) => f.id).join(', ')}); delete the extra ones in Cloudflare`,
    });
    return;
  }
  const live = found[0];
  if (live) {
    ctx.claim(intent.kind, intent.account, live.id);
    out.steps.set(
      key,
      makeStep('delete', {
        address,
        cfName: intent.cf_name,
        targetId: live.id,
        reason: `created by an interrupted run (intent ${intent.id}) and no longer in manifests`,
        diff: [{ path: '/name', before: live.name }],
        resolvesIntent: intent.id,
      }),
    );
    return;
  }
  out.steps.set(
    key,
    makeStep('forget', {
      address,
      cfName: intent.cf_name,
      reason: `an interrupted run (intent ${intent.id}) left nothing behind: drop the intent`,
      diff: [],
      resolvesIntent: intent.id,
    }),
  );
}

function single<T>(list: readonly T[]): T | undefined {
  return list.length === 1 ? list[0] : undefined;
}
