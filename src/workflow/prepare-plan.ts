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
import { uncheckedSecretAddresses } from '../manifest/secret-ref.js';

export interface PlanOptions {
  prune: boolean;
  allowMassDelete: boolean;
}

export interface PreparedPlan {
  plan: Plan;
  errors: CfgitopsError[];
  state: StateDocument;
  live: LiveSnapshot;
  /** The TSIG secrets the plan was made with: only those read through an applied reference. */
  secrets: ResolvedSecrets;
  /** TSIGs whose reference is not the applied one: not compared, shown as changing (W_SECRET_UNCHECKED). */
  uncheckedSecrets: ReadonlySet<string>;
}

/**
 * The TSIG secrets, or how to read them once the state says which references are applied: `plan` and `drift` pass
 * a reader, so a reference the change under review chose is never read (src/manifest/secret-ref.ts). `apply PLAN`
 * has read every secret (it sends them, after review) and passes them: the planner still compares only the applied
 * ones, so the plan made again at apply has the reviewed steps. `apply DIR` (no reviewed plan to match; it shows its
 * own plan) passes `{ trusted }`: every secret is compared, so an adopted TSIG whose secret is already live is not
 * sent again.
 */
export type SecretsSource =
  ResolvedSecrets | ((unchecked: ReadonlySet<string>) => Promise<ResolvedSecrets>) | { trusted: ResolvedSecrets };

export async function preparePlan(
  app: App,
  target: Target,
  manifests: LoadedManifests,
  secretsSource: SecretsSource,
  options: PlanOptions,
  state?: StateDocument,
  signal?: AbortSignal,
): Promise<PreparedPlan> {
  const recorded = state ?? (await target.state.read());
  const trusted = 'trusted' in secretsSource ? secretsSource.trusted : undefined;
  const uncheckedSecrets = trusted ? new Set<string>() : uncheckedSecretAddresses(manifests, recorded);
  const secrets =
    trusted ??
    (typeof secretsSource === 'function'
      ? await secretsSource(uncheckedSecrets)
      : checkedOnly(secretsSource as ResolvedSecrets, uncheckedSecrets));
  const live = await observeLive(
    target.api,
    observeNeeds(manifests.resources, recorded, manifests.config.zones),
    signal,
  );
  const { plan, errors } = planChanges({
    desired: manifests.resources,
    secrets,
    uncheckedSecrets,
    config: manifests.config,
    state: recorded,
    live,
    now: app.clock.now(),
    manifestsDigest: manifests.digest,
    configDigest: configDigest(manifests.config),
    options,
  });
  plan.manifests_dir = relative(app.cwd, app.resolvePath(manifests.dir)) || '.';
  return { plan, errors, state: recorded, live, secrets, uncheckedSecrets };
}

function checkedOnly(secrets: ResolvedSecrets, unchecked: ReadonlySet<string>): ResolvedSecrets {
  return new Map([...secrets].filter(([address]) => !unchecked.has(address)));
}
