/**
 * The plan as JSON for machines (`plan --format json`), described by schemas/plan.schema.json. Same plain data
 * as the saved plan, plus errors; never a secret (sensitive diff fields are already `(sensitive)`, and the text
 * is scrubbed of every registered secret value).
 */
import type { CfgitopsErrorJson } from '../errors.js';
import type { Plan } from './plan.js';
import { scrub, type RenderInput } from './render-common.js';

/** `$id` of schemas/plan.schema.json; bump with PLAN_FORMAT_VERSION. */
export const PLAN_SCHEMA_ID = 'https://cfgitops.dev/schemas/v1/plan.schema.json';

export interface PlanJson extends Plan {
  $schema: typeof PLAN_SCHEMA_ID;
  errors: CfgitopsErrorJson[];
}

export function renderJson(plan: Plan, options: RenderInput = {}): string {
  const doc: PlanJson = { $schema: PLAN_SCHEMA_ID, ...plan, errors: (options.errors ?? []).map((e) => e.toJSON()) };
  return scrub(`${JSON.stringify(doc, null, 2)}\n`);
}
