/**
 * Picks the plan renderer for `--format`. The renderers themselves are pure and live in the planner; colour only on
 * a terminal and never when NO_COLOR is set (https://no-color.org).
 */
import type { Target } from '../app.js';
import type { CfgitopsError } from '../errors.js';
import type { Plan } from '../planner/plan.js';
import type { PlanTarget } from '../planner/render-common.js';
import type { PlanFormat } from './options.js';
import { renderJson } from '../planner/render-json.js';
import { renderMarkdown } from '../planner/render-markdown.js';
import { renderText } from '../planner/render-text.js';

export type { PlanFormat } from './options.js';

export interface RenderOptions {
  color: boolean;
  /** Where the run goes: the first line of text and Markdown plans, `target` in JSON. */
  target: PlanTarget;
  errors?: readonly CfgitopsError[];
}

export function planTarget(target: Pick<Target, 'describe' | 'emulated' | 'accounts'>): PlanTarget {
  return { describe: target.describe, emulated: target.emulated, accounts: target.accounts };
}

export function renderPlanAs(format: PlanFormat, plan: Plan, options: RenderOptions): string {
  const errors = options.errors ?? [];
  switch (format) {
    case 'json':
      return renderJson(plan, { errors, target: options.target });
    case 'markdown':
      return renderMarkdown(plan, { errors, target: options.target });
    case 'text':
      return renderText(plan, {
        errors,
        target: options.target,
        color: options.color && process.env['NO_COLOR'] === undefined,
      });
  }
}
