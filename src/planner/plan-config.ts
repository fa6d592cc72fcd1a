/**
 * Changes to the secret-sink and guardrail configuration since the last successful apply. A pull request that points
 * a sink at someone else's repository, or loosens `policy`, changes no resource, yet it decides where every future
 * token value goes and what the guardrails let through: reviewers must see it. Paths follow the Config document
 * (`/secrets/sinks/gh/repository`, `/secrets/default`, `/policy/tokenMaxLifetimeDays`).
 */
import type { ResolvedConfig, SinkConfig } from '../config/types.js';
import type { AppliedConfig } from '../state/types.js';
import { setChange } from './diff-policies.js';
import type { FieldChange } from './plan.js';
import { compareText } from './plan-context.js';

/** The reviewed part of the config, as the planner compares it. */
interface ReviewedConfig {
  defaultSink: string;
  sinks: Readonly<Record<string, SinkConfig>>;
  policy: Readonly<Record<string, unknown>>;
}

/**
 * Without a recorded snapshot (first apply, or a state written before snapshots existed) every configured sink and
 * policy setting is listed as added: nobody has reviewed them through a plan yet.
 */
export function planConfigChanges(config: ResolvedConfig, applied: AppliedConfig | undefined): FieldChange[] {
  const now: ReviewedConfig = { defaultSink: config.defaultSink, sinks: config.sinks, policy: { ...config.policy } };
  const before: ReviewedConfig | undefined = applied && {
    defaultSink: applied.defaultSink,
    sinks: applied.sinks,
    policy: { ...applied.policy },
  };
  const changes: FieldChange[] = [];
  if (before?.defaultSink !== now.defaultSink) {
    changes.push(change('/secrets/default', before?.defaultSink, now.defaultSink));
  }
  for (const name of unionKeys(before?.sinks ?? {}, now.sinks)) {
    const path = `/secrets/sinks/${escapePointer(name)}`;
    const was = before?.sinks[name];
    const is = now.sinks[name];
    if (was === undefined || is === undefined || was.type !== is.type) {
      // Added, removed, or a different kind of sink: the whole sink is what a reviewer must read.
      changes.push(change(path, was, is));
      continue;
    }
    changes.push(...recordChanges(path, was, is));
  }
  changes.push(...recordChanges('/policy', before?.policy ?? {}, now.policy));
  return changes;
}

/**
 * The sinks whose configuration is exactly what the last successful apply recorded: reviewed and applied, so `plan`
 * may contact them (a GitHub sink's readiness check sends `$tokenEnv` to `apiUrl`). Any other sink — added, or
 * changed in any field, `tokenEnv` and `apiUrl` included — was chosen by the change under review: plan must not
 * send a credential to it or run it (docs/security.md); apply checks it after review, before minting.
 */
export function reviewedSinkNames(
  config: Pick<ResolvedConfig, 'sinks'>,
  applied: AppliedConfig | undefined,
): Set<string> {
  const names = new Set<string>();
  if (applied === undefined) return names;
  for (const [name, sink] of Object.entries(config.sinks)) {
    if (sameJson(applied.sinks[name], sink)) names.add(name);
  }
  return names;
}

/**
 * True when a sink with the same name now delivers somewhere else (another file, repository, recipients, command):
 * the tokens using it must be rolled so their values exist at the new destination. Settings that do not change
 * where a value lands (which env var holds the GitHub token, a command's timeout) do not count. Unknown when nothing
 * was recorded: false (rolling every token on the first plan after an upgrade would be a surprise).
 */
export function sinkDestinationChanged(before: SinkConfig | undefined, after: SinkConfig | undefined): boolean {
  if (before === undefined || after === undefined) return false;
  return !sameJson(destinationOf(before), destinationOf(after));
}

function destinationOf(sink: SinkConfig): Record<string, unknown> {
  switch (sink.type) {
    case 'github-actions': {
      const { tokenEnv: _tokenEnv, ...where } = sink;
      return where;
    }
    case 'exec': {
      const { timeoutSeconds: _timeout, inheritEnv: _inheritEnv, ...where } = sink;
      return where;
    }
    default:
      return { ...sink };
  }
}

function recordChanges(
  base: string,
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): FieldChange[] {
  const out: FieldChange[] = [];
  for (const key of unionKeys(before, after)) {
    if (sameJson(before[key], after[key])) continue;
    const path = `${base}/${escapePointer(key)}`;
    const [wasRecord, isRecord] = [recordOrEmpty(before[key]), recordOrEmpty(after[key])];
    // A nested setting (policy.modes) as one line per member: `/policy/modes/tokenMaxLifetimeDays`.
    if (wasRecord && isRecord) {
      out.push(...recordChanges(path, wasRecord, isRecord));
      continue;
    }
    const [was, is] = [scalarList(before[key]), scalarList(after[key])];
    // A list setting (forbidden groups, allowed CIDRs, age recipients) as the members added and removed.
    if (was && is) out.push(...setChange(path, was, is));
    else out.push(change(path, before[key], after[key]));
  }
  return out;
}

/** A plain object (absent: empty); undefined for anything else. */
function recordOrEmpty(v: unknown): Readonly<Record<string, unknown>> | undefined {
  if (v === undefined) return {};
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** A list of strings or numbers as strings (absent: empty); undefined for anything else. */
function scalarList(v: unknown): string[] | undefined {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' || typeof x === 'number')) return undefined;
  return v.map(String);
}

function change(path: string, before: unknown, after: unknown): FieldChange {
  return { path, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) };
}

function unionKeys(a: object, b: object): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].sort(compareText);
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Structural equality of JSON values, object key order ignored (a snapshot read back from jsonb is reordered). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = unionKeys(ra, rb);
  return keys.every((k) => sameJson(ra[k], rb[k]));
}
