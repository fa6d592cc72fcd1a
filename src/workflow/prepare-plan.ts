/**
 * The read half shared by `plan`, `apply DIR` and `drift`: observe live state with the fewest calls, then plan.
 * Never writes anything: no API mutation, no sink call, no state commit.
 */
import type { App, Target } from '../app.js';
import type { CfgitopsError } from '../errors.js';
import { observeLive, observeNeeds } from '../executor/observe.js';
import type { LoadedManifests, ResolvedSecrets } from '../manifest/types.js';
import type { LiveSnapshot } from '../planner/live.js';
import type { Plan } from '../planner/plan.js';
import { planChanges } from '../planner/plan-changes.js';
import type { StateDocument } from '../state/types.js';
import { configDigest } from '../config/config-digest.js';
import { relative } from 'node:path';

export interface PlanOptions {
  prune: boolean;
  allowMassDelete: boolean;
}

export interface PreparedPlan {
  plan: Plan;
  errors: CfgitopsError[];
  state: StateDocument;
  live: LiveSnapshot;
}

export async function preparePlan(
  app: App,
  target: Target,
  manifests: LoadedManifests,
  secrets: ResolvedSecrets,
  options: PlanOptions,
  state?: StateDocument,
  signal?: AbortSignal,
): Promise<PreparedPlan> {
  const recorded = state ?? (await target.state.read());
  const live = await observeLive(
    target.api,
    observeNeeds(manifests.resources, recorded, manifests.config.zones),
    signal,
  );
  const { plan, errors } = planChanges({
    desired: manifests.resources,
    secrets,
    config: manifests.config,
    state: recorded,
    live,
    now: app.clock.now(),
    manifestsDigest: manifests.digest,
    configDigest: configDigest(manifests.config),
    options,
  });
  plan.manifests_dir = relative(app.cwd, app.resolvePath(manifests.dir)) || '.';
  return { plan, errors, state: recorded, live };
}
