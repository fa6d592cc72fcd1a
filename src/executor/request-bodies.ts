/**
 * Turns a step's planned body into what the API is sent: TSIG secrets come from the resolved manifests (plans never
 * hold them), and a peer's `tsig_ref` becomes the id that the TSIG step of this same run has just recorded.
 */
import type { CfPeerBody, CfTokenBody, CfTsigBody } from '../cloudflare/types.js';
import { CfgitopsError } from '../errors.js';
import type { PlannedBody } from '../planner/plan.js';
import { planBug, type StepContext } from './step-context.js';

type BodyOf<K extends PlannedBody['kind']> = Extract<PlannedBody, { kind: K }>;

function plannedBody<K extends PlannedBody['kind']>(ctx: StepContext, kind: K): BodyOf<K> {
  const body = ctx.step.body;
  if (body?.kind !== kind) throw planBug(ctx, `has no ${kind} body`);
  return body as BodyOf<K>;
}

export function tsigRequestBody(ctx: StepContext): CfTsigBody {
  const body = plannedBody(ctx, 'SecondaryDnsTsig');
  const secret = ctx.tsigSecrets.get(ctx.key);
  if (!secret) throw planBug(ctx, 'has no resolved TSIG secret (the manifests were not resolved for this apply)');
  return { name: body.name, algo: body.algo, secret };
}

export function peerRequestBody(ctx: StepContext): CfPeerBody {
  const body = plannedBody(ctx, 'SecondaryDnsPeer');
  const out: CfPeerBody = { name: body.name, port: body.port, ixfr_enable: body.ixfr_enable };
  if (body.ip !== undefined) out.ip = body.ip;
  if (body.tsig_id !== undefined) {
    out.tsig_id = body.tsig_id;
  } else if (body.tsig_ref !== undefined) {
    const tsig = ctx.journal.current().resources[body.tsig_ref];
    if (!tsig) {
      throw new CfgitopsError(
        'E_STATE_NOT_FOUND',
        `${ctx.key} uses TSIG ${body.tsig_ref}, which is not recorded in state`,
        { hint: 'the TSIG step did not run or failed: fix it, then apply again', location: ctx.step.source },
      );
    }
    out.tsig_id = tsig.id;
  }
  return out;
}

export function tokenRequestBody(ctx: StepContext): CfTokenBody {
  return plannedBody(ctx, 'AccountToken').body;
}

/** The Cloudflare-side name the step's body sets (falls back to the step's `cfName`). */
export function cfNameOf(ctx: StepContext): string {
  const body = ctx.step.body;
  if (!body) return ctx.step.cfName;
  return body.kind === 'AccountToken' ? body.body.name : body.name;
}
