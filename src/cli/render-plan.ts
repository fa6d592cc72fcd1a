/**
 * Picks the plan renderer for `--format`. The renderers themselves are pure and live in the planner.
 */
import type { Plan } from '../planner/plan.js';

export const PLAN_FORMATS = ['text', 'json', 'markdown'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

export interface RenderOptions {
  color: boolean;
  target: string;
}

export function renderPlanAs(_format: PlanFormat, plan: Plan, _options: RenderOptions): string {
  // TEMPORARY until the planner's renderers land.
  return JSON.stringify(plan, null, 2) + '\n';
}
