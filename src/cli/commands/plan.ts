/**
 * `cfgitops plan [DIR]`: load, observe, plan — and nothing else. Plan never writes: no API mutation, no sink write
 * (only the read-only `check()` of already-applied sinks new values would go to, to warn when apply would refuse),
 * no state commit, and no state lock (README: State), so it is safe on an untrusted pull request. Exit codes follow
 * Terraform: 0 success (with `--detailed-exitcode`: 0 no changes, 2 changes), 1 error. A plan with planning errors
 * (an enforced guardrail, prevent-destroy, an unknown permission group…) is still shown in the chosen format, with
 * guardrail findings beside their steps, and not saved; it exits 1, its errors also on stderr as for any failure.
 */
import { createApp, type App, type AppEnvironment, type Target } from '../../app.js';
import { asCfgitopsError, CfgitopsError, CfgitopsErrors, errorList } from '../../errors.js';
import {
  checkValueSinks,
  sinkNotReadyWarning,
  sinkUncheckedWarning,
  valueSinksOf,
} from '../../executor/check-value-sinks.js';
import { reviewedSinkNames } from '../../planner/plan-config.js';
import type { ResolvedSecrets } from '../../manifest/types.js';
import type { Plan, PlanWarning } from '../../planner/plan.js';
import { errorAnnotation, warningAnnotation } from '../../github/workflow-commands.js';
import { loadManifestsFor, resolveSecretsFor } from '../../workflow/load.js';
import { preparePlan } from '../../workflow/prepare-plan.js';
import { writeSavedPlan } from '../../workflow/saved-plan.js';
import { pinSecrets } from '../../workflow/secret-pins.js';
import type { PlanFormat } from '../options.js';
import { planTarget, renderPlanAs } from '../render-plan.js';
import { renderJson, unplannedPlan } from '../../planner/render-json.js';
import type { PlanTarget } from '../../planner/render-common.js';
import { githubSettings, type GitHubRequest } from '../../github/github-flags.js';
import { planAnnotations } from '../../github/plan-annotations.js';
import type { GitHubReporter } from '../../github/github-reporter.js';
import { escapeMarkdownText } from '../../github/step-summary.js';

export interface PlanCommandOptions {
  dir: string;
  out?: string;
  detailedExitcode: boolean;
  format: PlanFormat;
  prune: boolean;
  allowMassDelete: boolean;
  emulator: boolean;
  /** `--github`: step summary, error annotations and the sticky PR comment. */
  github?: GitHubRequest;
}

/** What a failed run got as far as, so `--format json` still prints the plan (or an empty one) with its errors. */
interface PlanProgress {
  plan?: Plan;
  target?: PlanTarget;
  /** The plan with its errors is already on stdout (and on GitHub): the failure path must not print it again. */
  shown?: boolean;
}

export async function runPlan(app: App, request: PlanCommandOptions): Promise<number> {
  const progress: PlanProgress = {};
  const options = { ...request, github: githubSettings(app, request.github) };
  try {
    return await planAndReport(app, options, progress);
  } catch (e) {
    if (progress.shown) throw e;
    // JSON consumers get one valid document whatever happened: the plan so far (or none) with every error.
    if (options.format === 'json') {
      const plan = progress.plan ?? unplannedPlan(new Date(app.clock.now()).toISOString());
      app.output.out(
        renderJson(plan, {
          errors: errorList(asCfgitopsError(e)),
          ...(progress.target ? { target: progress.target } : {}),
        }),
      );
    }
    await options.github?.publishFailure('plan', options.dir, e);
    throw e;
  }
}

/** A plan run's options once `--github` became its reporter. */
type PlanRun = Omit<PlanCommandOptions, 'github'> & { github: GitHubReporter | undefined };

async function planAndReport(app: App, options: PlanRun, progress: PlanProgress): Promise<number> {
  const manifests = await loadManifestsFor(app, options.dir);
  const target = await app.connect(manifests.config, { emulator: options.emulator, operation: 'plan' });
  const shownTarget = planTarget(target);
  progress.target = shownTarget;
  let plan: Plan;
  let secrets: ResolvedSecrets = new Map();
  try {
    announceTarget(app, target);
    // Read once the state says which references are applied: one the change chose is not read (docs/security.md).
    const prepared = await preparePlan(
      app,
      target,
      manifests,
      (skip) => resolveSecretsFor(app, manifests, skip),
      options,
    );
    secrets = prepared.secrets;
    progress.plan = prepared.plan;
    if (prepared.errors.length > 0) {
      await showRefusedPlan(
        app,
        options,
        { plan: prepared.plan, target: shownTarget, errors: prepared.errors },
        progress,
      );
      throw new CfgitopsErrors(prepared.errors);
    }
    plan = prepared.plan;
    // Read-only (no sink check writes or runs anything), and apply refuses on the same finding: say so now — but
    // only for sinks already applied as configured: the emulator's are local files; any other is the PR's choice.
    const reviewed = target.emulated ? undefined : reviewedSinkNames(manifests.config, prepared.state.applied_config);
    const notReady = await checkValueSinks(plan, target.sinks, reviewed);
    plan.warnings.push(...notReady.map(sinkNotReadyWarning));
    for (const [sink, steps] of valueSinksOf(plan)) {
      if (reviewed !== undefined && !reviewed.has(sink)) plan.warnings.push(sinkUncheckedWarning(sink, steps));
    }
  } finally {
    await target.close();
  }
  // Saved first, so the report can name the file's digest: what the reviewer saw is what the merge job applies.
  const digest =
    options.out === undefined
      ? undefined
      : await writeSavedPlan(app.resolvePath(options.out), plan, await pinSecrets(secrets));
  app.output.out(renderPlanAs(options.format, plan, { color: app.output.color, target: shownTarget }));
  const savedNote =
    digest === undefined
      ? ''
      : `\n**Saved plan** \`${escapeMarkdownText(options.out ?? '')}\`, \`${digest}\`: the merge job applies exactly this file if state, manifests, config and TSIG secrets are unchanged, and plans again otherwise.\n`;
  await options.github?.publish({
    command: 'plan',
    key: options.dir,
    markdown: renderPlanAs('markdown', plan, { color: false, target: shownTarget }) + savedNote,
    annotations: [...guardrailWarnings(plan).map(warningAnnotation), ...planAnnotations(plan, shownTarget.accounts)],
  });
  if (options.out !== undefined && digest !== undefined) {
    if (options.format === 'text')
      app.output.out(
        `Saved the plan to ${options.out} (${digest}): apply it with \`cfgitops apply ${options.out}\`.\n`,
      );
    else app.output.err(`Saved the plan to ${options.out} (${digest}).\n`);
  }
  return options.detailedExitcode && plan.summary.hasChanges ? 2 : 0;
}

/**
 * A plan that has errors, shown all the same: a reviewer sees every step with the violations beside it, not only a
 * list of errors. Never saved (`--out`): it must not be applied.
 */
async function showRefusedPlan(
  app: App,
  options: PlanRun,
  refused: { plan: Plan; target: PlanTarget; errors: readonly CfgitopsError[] },
  progress: PlanProgress,
): Promise<void> {
  const { plan, target, errors } = refused;
  app.output.out(renderPlanAs(options.format, plan, { color: app.output.color, target, errors }));
  progress.shown = true;
  if (options.out !== undefined) app.output.err(`Not saving the plan to ${options.out}: it has errors.\n`);
  await options.github?.publish({
    command: 'plan',
    key: options.dir,
    markdown: renderPlanAs('markdown', plan, { color: false, target, errors }),
    annotations: [
      ...errors.map(errorAnnotation),
      ...guardrailWarnings(plan).map(warningAnnotation),
      ...planAnnotations(plan, target.accounts),
    ],
  });
}

function guardrailWarnings(plan: Plan): PlanWarning[] {
  return plan.warnings.filter((w) => w.code === 'W_POLICY_VIOLATION');
}

/** Says where a run goes, on stderr so machine-readable stdout stays clean; loudly when it is the emulator. */
export function announceTarget(app: App, target: Target): void {
  if (target.emulated) {
    app.output.err(`NOTE: not talking to Cloudflare — using ${target.describe}.\n`);
  } else {
    app.log.info({ target: target.describe }, 'using the Cloudflare API');
  }
}

export async function planCommand(environment: AppEnvironment, options: PlanCommandOptions): Promise<number> {
  return runPlan(createApp(environment), options);
}
