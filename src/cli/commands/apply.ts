/**
 * `cfgitops apply [PLAN | DIR]`: apply a saved plan (refused when stale), or plan and apply in one go. Asks for
 * confirmation on a terminal unless --auto-approve; never waits for input elsewhere. `--format json` prints the
 * result as one JSON document (outcome per step, counts, undelivered values; never a secret). Exit 0 when everything
 * was applied, 1 otherwise (what succeeded is recorded in state either way).
 */
import { stat } from 'node:fs/promises';
import { createApp, type App, type AppEnvironment } from '../../app.js';
import { applyWorkflow, nonInteractiveRefusal } from '../../workflow/apply-workflow.js';
import { askYes, canAsk } from '../confirm.js';
import type { TextOrJson } from '../options.js';
import { applyResultJson, renderApplyResult } from '../render-apply-result.js';
import { planTarget, renderPlanAs } from '../render-plan.js';
import { githubSettings, type GitHubRequest } from '../../github/github-flags.js';
import { isCfgitopsError } from '../../errors.js';
import type { Plan } from '../../planner/plan.js';
import type { PlanTarget } from '../../planner/render-common.js';
import { announceTarget } from './plan.js';
import { progressReporter } from '../progress.js';
import { handleInterrupts, interruptedNotice } from '../interrupt.js';
import { withJsonFailure } from '../json-failure.js';

export interface ApplyCommandOptions {
  source: string;
  autoApprove: boolean;
  prune: boolean;
  allowMassDelete: boolean;
  emulator: boolean;
  lockTimeoutSeconds?: number;
  concurrency?: number;
  /** The result: `text` for people, `json` (one document on stdout; the plan goes to stderr) for machines. */
  format?: ApplyFormat;
  /**
   * `--github`: the plan and the result in the step summary, `::error` annotations, and the step output `outcome`
   * (`applied`, `no-changes`, `declined`, `failed`, or `stale` for a saved plan refused as stale — the merge
   * workflow then plans again for approval instead of applying something nobody reviewed).
   */
  github?: GitHubRequest;
}

export type ApplyFormat = TextOrJson;

export async function runApply(app: App, options: ApplyCommandOptions): Promise<number> {
  const github = githubSettings(app, options.github);
  let shown: { plan: Plan; target: PlanTarget } | undefined;
  try {
    const done = await applyAndReport(app, options, (plan, target) => {
      shown = { plan, target };
    });
    await github?.setOutput('outcome', done.outcome);
    await github?.publish({ command: 'apply', key: options.source, markdown: applyMarkdown(done, shown) });
    return done.code;
  } catch (e) {
    const stale = isCfgitopsError(e) && e.code === 'E_PLAN_STALE';
    await github?.setOutput('outcome', stale ? 'stale' : 'failed').catch(() => undefined);
    await github?.publishFailure('apply', options.source, e);
    throw e;
  }
}

interface ApplyDone {
  code: number;
  outcome: 'applied' | 'no-changes' | 'declined' | 'failed';
  /** What the terminal showed as the result. */
  text: string;
}

/** The step summary of an apply: the outcome, the result as the log showed it, then the plan that was applied. */
function applyMarkdown(done: ApplyDone, shown: { plan: Plan; target: PlanTarget } | undefined): string {
  const icon = done.code === 0 ? '✅' : '❌';
  const lines = [
    `### ${icon} cfgitops apply: ${done.outcome}`,
    '',
    '````text',
    done.text.replaceAll('````', '```').trimEnd(),
    '````',
    '',
  ];
  if (shown) {
    lines.push(
      '<details><summary>The plan that was applied</summary>',
      '',
      renderPlanAs('markdown', shown.plan, { color: false, target: shown.target }),
      '</details>',
      '',
    );
  }
  return lines.join('\n');
}

async function applyAndReport(
  app: App,
  options: ApplyCommandOptions,
  onShown: (plan: Plan, target: PlanTarget) => void,
): Promise<ApplyDone> {
  const isPlanFile = await stat(app.resolvePath(options.source)).then(
    (s) => s.isFile() && !/\.ya?ml$/i.test(options.source),
    () => false,
  );
  const json = options.format === 'json';
  const interrupt = handleInterrupts(app.output, 'steps');
  const progress = progressReporter(app);
  try {
    const outcome = await applyWorkflow(app, {
      source: isPlanFile ? { planFile: app.resolvePath(options.source) } : { dir: options.source },
      emulator: options.emulator,
      prune: options.prune,
      allowMassDelete: options.allowMassDelete,
      ...(options.lockTimeoutSeconds !== undefined ? { lockTimeoutSeconds: options.lockTimeoutSeconds } : {}),
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      signal: interrupt.signal,
      showPlan: (plan, target) => {
        progress.expect(plan, target.rateLimit);
        announceTarget(app, target);
        onShown(plan, planTarget(target));
        const text = renderPlanAs('text', plan, {
          color: app.output.color && !json,
          target: planTarget(target),
        });
        if (json) app.output.err(text);
        else app.output.out(text);
      },
      confirm: async (_plan, target) => {
        // A saved plan was reviewed when it was made (and is refused if anything changed since), like Terraform.
        if (options.autoApprove || isPlanFile) return true;
        if (!canAsk(app)) throw nonInteractiveRefusal();
        return askYes(app, `Apply these changes to ${target.describe}?`);
      },
      onProgress: (event) => {
        progress.onProgress(event);
      },
    });
    progress.finish();
    const by = interrupt.interruptedBy();
    if (json) {
      const doc = applyResultJson(
        outcome.kind,
        outcome.target,
        outcome.kind === 'applied' ? outcome.result : undefined,
        {
          ...(outcome.kind === 'applied' ? { configRecorded: outcome.configRecorded } : {}),
          ...(outcome.kind === 'applied' && outcome.retries ? { retries: outcome.retries } : {}),
          ...(by !== undefined ? { interrupted: by } : {}),
        },
      );
      const text = `${JSON.stringify(doc, null, 2)}\n`;
      app.output.out(text);
      if (by !== undefined) app.output.err(interruptedNotice(by, 'apply'));
      return { code: doc.ok ? 0 : 1, outcome: doc.ok ? outcome.kind : 'failed', text };
    }
    switch (outcome.kind) {
      case 'no-changes': {
        const text = `No changes: ${outcome.target} matches the manifests.\n`;
        app.output.out(text);
        return { code: 0, outcome: 'no-changes', text };
      }
      case 'declined': {
        const text = 'Apply cancelled; nothing was changed.\n';
        app.output.out(text);
        return { code: 1, outcome: 'declined', text };
      }
      case 'applied': {
        const text = renderApplyResult(outcome.result, {
          ...(outcome.retries ? { retries: outcome.retries } : {}),
          ...(outcome.plan.summary.configChanged ? { config: { recorded: outcome.configRecorded } } : {}),
          aliases: outcome.accounts,
        });
        app.output.out(text);
        if (by !== undefined) app.output.err(interruptedNotice(by, 'apply'));
        const ok = outcome.result.ok && by === undefined;
        return { code: ok ? 0 : 1, outcome: ok ? 'applied' : 'failed', text };
      }
    }
  } finally {
    interrupt.dispose();
    progress.finish();
  }
}

export async function applyCommand(environment: AppEnvironment, options: ApplyCommandOptions): Promise<number> {
  const app = createApp(environment);
  return withJsonFailure(options.format === 'json', app.output, () => runApply(app, options));
}
