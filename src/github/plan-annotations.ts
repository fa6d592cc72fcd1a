/**
 * Plan steps that must stand out in a GitHub run, as workflow-command annotations on the manifest that declares the
 * resource: a token Cloudflare revoked as exposed (`::error`: a leaked value is a security incident, whatever the
 * exit code), and a step held for a person's decision (`::warning`).
 */
import type { Plan } from '../planner/plan.js';
import { displayAddress, type AccountAliases } from '../resources.js';
import { formatAnnotation, type Annotation } from './workflow-commands.js';

/** Workflow-command lines (escaped: manifest text reaches them). */
export function planAnnotations(plan: Plan, aliases?: AccountAliases): string[] {
  const out: Annotation[] = [];
  for (const step of plan.steps) {
    const where = step.source ? { file: step.source.file, line: step.source.line, col: step.source.col } : {};
    const label = displayAddress(step.address, aliases);
    const exposed = step.action === 'replace-exposed' || step.decision?.action === 'replace-exposed';
    if (exposed) {
      const next =
        step.action === 'held'
          ? 'held by prevent-destroy: decide (see the plan) so it can be replaced'
          : 'apply replaces it with a new token and deletes the leaked one';
      out.push({
        level: 'error',
        title: 'token exposed',
        message: `${label} (id ${step.targetId ?? 'unknown'}) was revoked by Cloudflare as exposed: its value leaked. ${next}; find where the old value was published.`,
        ...where,
      });
    } else if (step.action === 'held') {
      out.push({ level: 'warning', title: 'decision needed', message: `${label}: ${step.reason}`, ...where });
    }
  }
  return out.map(formatAnnotation);
}
