/**
 * The plan as JSON for machines (`plan --format json`), described by schemas/plan.schema.json. Same plain data
 * as the saved plan, plus errors; never a secret (sensitive diff fields are already `(sensitive)`, and the text
 * is scrubbed of every registered secret value).
 */
import type { CfgitopsErrorJson } from '../errors.js';
import { emptyActionCounts, PLAN_FORMAT_VERSION, type Plan } from './plan.js';
import { scrub, type PlanTarget, type RenderInput } from './render-common.js';

/** `$id` of schemas/plan.schema.json; bump with PLAN_FORMAT_VERSION. */
export const PLAN_SCHEMA_ID = 'https://cfgitops.dev/schemas/v1/plan.schema.json';

export interface PlanJson extends Plan {
  $schema: typeof PLAN_SCHEMA_ID;
  target?: PlanTarget;
  errors: CfgitopsErrorJson[];
}

export function renderJson(plan: Plan, options: RenderInput = {}): string {
  const doc: PlanJson = {
    $schema: PLAN_SCHEMA_ID,
    ...plan,
    ...(options.target ? { target: options.target } : {}),
    errors: (options.errors ?? []).map((e) => e.toJSON()),
  };
  return scrub(`${JSON.stringify(doc, null, 2)}\n`);
}

/**
 * The plan document of a run that failed before it had a plan (a manifest, config, state or API error): no steps,
 * empty digests and state, the errors filled — still one valid document, so a consumer of `--format json` never has
 * to parse nothing.
 */
export function unplannedPlan(createdAt: string): Plan {
  return {
    format_version: PLAN_FORMAT_VERSION,
    created_at: createdAt,
    manifests_digest: '',
    config_digest: '',
    state: { lineage: '', serial: 0 },
    steps: [],
    summary: { total: emptyActionCounts(), byAccount: {}, configChanged: false, hasChanges: false },
    warnings: [],
  };
}
