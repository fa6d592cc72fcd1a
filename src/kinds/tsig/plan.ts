/** Planning a TSIG key (pure): name and algo compared exactly, the secret only through `Secret.equals`. */
import type { Adapter } from '../kind.js';
import type { DesiredTsig } from '../../manifest/types.js';
import type { CfTsig } from '../../cloudflare/types.js';
import type { PlanContext } from '../../planner/plan-context.js';
import type { PlanOutput } from '../../planner/plan-output.js';
import type { PlanStep } from '../../planner/plan.js';
import { addressKey } from '../../resources.js';
import { compareTsig, tsigCreationDiff } from './compare.js';

export function tsigAdapter(ctx: PlanContext, d: DesiredTsig): Adapter {
  const body = { kind: 'SecondaryDnsTsig', name: d.spec.name, algo: d.spec.algo } as const;
  const key = addressKey(d.address);
  // A create needs no secret in the plan; an existing TSIG's secret is compared only through its applied reference.
  const secret = ctx.input.uncheckedSecrets?.has(key) ? 'unchecked' : ctx.input.secrets.get(key);
  return {
    body,
    compare: (live) => compareTsig(body, secret, live as CfTsig),
    creation: () => tsigCreationDiff(body),
  };
}

/** Publishes the TSIG's id to the peers planned after it: known unless this plan creates it anew. */
export function tsigPlanned(d: DesiredTsig, step: PlanStep, out: PlanOutput): void {
  const knownId = step.action === 'create' || step.action === 'replace' ? undefined : step.targetId;
  out.tsigIds.set(addressKey(d.address), knownId);
}
