/**
 * Fault injection, per route and method, with seeded dice so tests are deterministic:
 * - `latency`: delay the answer by `ms` (+ up to `jitterMs`);
 * - `error`: answer `status` (default 503) with a failure envelope, without doing the work;
 * - `reset`: destroy the connection without doing the work;
 * - `hang`: never answer (until the client gives up or the emulator closes);
 * - `commit-then-drop`: do the work, then destroy the connection before the answer — a client that retries a
 *   create blindly makes a duplicate.
 * A rule matches by `operationId`, or by `method` and/or `path` (an openapi template, e.g.
 * `/accounts/{account_id}/tokens`); a rule with none of them matches every operation. `rate` (default 1) is the chance
 * it fires; `times` limits it to the first N matching requests; `first` makes the first N matching requests fire
 * without rolling the dice, so a test of "20 % of answers fail" always sees a failure whatever the seed (the
 * random rate applies after them).
 */
import type { Random } from './random.js';

export type FaultKind = 'latency' | 'error' | 'reset' | 'hang' | 'commit-then-drop';

export interface FaultRule {
  kind: FaultKind;
  operationId?: string;
  method?: string;
  path?: string;
  rate?: number;
  times?: number;
  /** The first N matching requests always get the fault (within `times`); the dice decide after them. */
  first?: number;
  ms?: number;
  jitterMs?: number;
  status?: number;
}

export interface FaultDecision {
  delayMs: number;
  /** The first non-latency fault that fired, if any. */
  action: { kind: Exclude<FaultKind, 'latency'>; status: number } | undefined;
}

const KINDS: readonly FaultKind[] = ['latency', 'error', 'reset', 'hang', 'commit-then-drop'];

/** An operation a rule can aim at (the emulator's routes). */
export interface FaultTarget {
  operationId: string;
  method: string;
  template: string;
}

/**
 * Checks one rule from the control API; returns a problem description or undefined. A rule that names an operation
 * or path that does not exist (or a combination no operation has) would never fire, and a fault test built on it
 * would pass without testing anything: refused, listing what exists.
 */
export function faultRuleProblem(rule: unknown, index: number, targets: readonly FaultTarget[]): string | undefined {
  const shape = faultRuleShapeProblem(rule, index);
  if (shape !== undefined) return shape;
  const r = rule as FaultRule;
  if (targets.some((t) => matches(r, t.operationId, t.method, t.template))) return undefined;
  const ids = [...new Set(targets.map((t) => t.operationId))].join(', ');
  if (r.operationId !== undefined && !targets.some((t) => t.operationId === r.operationId)) {
    return `rules[${index}].operationId ${JSON.stringify(r.operationId)} is no operation; valid operationIds: ${ids}`;
  }
  if (r.path !== undefined && !targets.some((t) => t.template === r.path)) {
    const paths = [...new Set(targets.map((t) => t.template))].join(', ');
    return `rules[${index}].path ${JSON.stringify(r.path)} is no path template; valid paths: ${paths}`;
  }
  return `rules[${index}] matches no operation (operationId, method and path together); valid operationIds: ${ids}`;
}

function faultRuleShapeProblem(rule: unknown, index: number): string | undefined {
  if (!rule || typeof rule !== 'object') return `rules[${index}] must be an object`;
  const r = rule as Record<string, unknown>;
  if (!KINDS.includes(r.kind as FaultKind)) return `rules[${index}].kind must be one of ${KINDS.join(', ')}`;
  for (const k of ['rate', 'times', 'first', 'ms', 'jitterMs', 'status'] as const) {
    if (r[k] !== undefined && (typeof r[k] !== 'number' || r[k] < 0))
      return `rules[${index}].${k} must be a number ≥ 0`;
  }
  for (const k of ['operationId', 'method', 'path'] as const) {
    if (r[k] !== undefined && typeof r[k] !== 'string') return `rules[${index}].${k} must be a string`;
  }
  return undefined;
}

export class FaultInjector {
  #rules: FaultRule[] = [];
  #matches: number[] = [];
  readonly #random: Random;
  /** Latency added to every request (`--latency`), before any rule. */
  baseLatencyMs = 0;

  constructor(random: Random, rules: readonly FaultRule[] = []) {
    this.#random = random;
    this.set(rules);
  }

  get rules(): FaultRule[] {
    return this.#rules.map((r) => ({ ...r }));
  }

  set(rules: readonly FaultRule[]): void {
    this.#rules = rules.map((r) => ({ ...r }));
    this.#matches = rules.map(() => 0);
  }

  decide(operationId: string, method: string, template: string): FaultDecision {
    let delayMs = this.baseLatencyMs;
    let action: FaultDecision['action'];
    this.#rules.forEach((rule, i) => {
      if (!matches(rule, operationId, method, template)) return;
      const n = this.#matches[i]!;
      this.#matches[i] = n + 1;
      if (rule.times !== undefined && n >= rule.times) return;
      const forced = n < (rule.first ?? 0);
      if (!forced && this.#random() >= (rule.rate ?? 1)) return;
      if (rule.kind === 'latency') {
        delayMs += (rule.ms ?? 0) + Math.floor(this.#random() * (rule.jitterMs ?? 0));
      } else {
        action ??= { kind: rule.kind, status: rule.status ?? 503 };
      }
    });
    return { delayMs, action };
  }
}

function matches(rule: FaultRule, operationId: string, method: string, template: string): boolean {
  if (rule.operationId !== undefined && rule.operationId !== operationId) return false;
  if (rule.method !== undefined && rule.method !== '*' && rule.method.toUpperCase() !== method) return false;
  return rule.path === undefined || rule.path === template;
}
