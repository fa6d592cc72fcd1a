/**
 * Execution order and explicit dependencies. Creates, updates, adoptions and rolls run in KIND_ORDER (TSIGs
 * before the peers that use them), then by account and name; deletes (and forgets) run after them in reverse
 * kind order, so a peer is gone before its TSIG.
 */
import { KIND_ORDER } from '../kinds/registry.js';
import { addressKey } from '../resources.js';
import type { PlanStep, PlanWarning } from './plan.js';
import { compareText, type PlanContext } from './plan-context.js';
import type { PlanOutput } from './plan-output.js';

const REMOVALS = new Set(['delete', 'forget']);
/** TSIG steps after which the TSIG's id is new or newly known: a peer pointing at it must wait. */
const TSIG_PROVIDERS = new Set(['create', 'adopt', 'replace']);
/** Peer steps that move a peer off its current TSIG. */
const PEER_RELEASES = new Set(['delete', 'update', 'adopt', 'replace']);

export function orderSteps(steps: Iterable<PlanStep>): PlanStep[] {
  const forward: PlanStep[] = [];
  const removals: PlanStep[] = [];
  for (const s of steps) (REMOVALS.has(s.action) ? removals : forward).push(s);
  const byAddress = (sign: 1 | -1) => (a: PlanStep, b: PlanStep) =>
    sign * (KIND_ORDER[a.address.kind] - KIND_ORDER[b.address.kind]) ||
    compareText(a.address.account, b.address.account) ||
    compareText(a.address.name, b.address.name);
  return [...forward.sort(byAddress(1)), ...removals.sort(byAddress(-1))];
}

/** Fills `dependsOn`; warns about a TSIG delete while a peer that is not changed still points at it. */
export function linkDependencies(ctx: PlanContext, out: PlanOutput): PlanWarning[] {
  const warnings: PlanWarning[] = [];
  for (const [peerKey, tsigKey] of out.peerTsig) {
    const peerStep = out.steps.get(peerKey);
    const tsigStep = out.steps.get(tsigKey);
    if (!peerStep || peerStep.action === 'no-op' || !tsigStep || !TSIG_PROVIDERS.has(tsigStep.action)) continue;
    peerStep.dependsOn.push(tsigStep.id);
  }
  const peerStepById = new Map<string, PlanStep>();
  for (const s of out.steps.values()) {
    if (s.address.kind === 'SecondaryDnsPeer' && s.targetId !== undefined && PEER_RELEASES.has(s.action)) {
      peerStepById.set(`${s.address.account}/${s.targetId}`, s);
    }
  }
  for (const s of out.steps.values()) {
    if (s.address.kind !== 'SecondaryDnsTsig' || s.action !== 'delete' || s.targetId === undefined) continue;
    for (const peer of ctx.peersUsingTsig(s.address.account, s.targetId)) {
      const peerStep = peerStepById.get(`${s.address.account}/${peer.id}`);
      if (peerStep && (peerStep.action === 'delete' || peerStep.body === undefined || !pointsAt(peerStep, s))) {
        s.dependsOn.push(peerStep.id);
      } else {
        warnings.push({
          code: 'W_TSIG_IN_USE',
          message: `${addressKey(s.address)} is deleted while peer "${peer.name}" (${peer.id}) still uses it; the delete may fail`,
        });
      }
    }
    s.dependsOn.sort();
  }
  return warnings;
}

function pointsAt(peerStep: PlanStep, tsigStep: PlanStep): boolean {
  const body = peerStep.body;
  return body?.kind === 'SecondaryDnsPeer' && body.tsig_id === tsigStep.targetId;
}
