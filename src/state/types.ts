/**
 * Recorded state: what cfgitops created or adopted, by address, with Cloudflare ids and where token values went.
 * Never a token value or a TSIG secret.
 *
 * Every change is a small list of `StateChange`s committed atomically with the serial bumped by one; the journal
 * (pending intents) lives in the same document, so "intent recorded" and "id recorded" are each one durable write
 * (the file backend appends it to a write-ahead log beside the document: see state-wal.ts).
 */
import type { GuardrailPolicy, SinkConfig } from '../config/types.js';
import { addressKey, type ResourceKind } from '../resources.js';

export const STATE_FORMAT_VERSION = 1;

export interface StateDocument {
  format_version: typeof STATE_FORMAT_VERSION;
  /** Random id fixed when the state is first created; a saved plan and a writer must match it. */
  lineage: string;
  /** +1 on every committed change. A writer whose expected serial is stale is refused. */
  serial: number;
  /** Keyed by `addressKey()`. */
  resources: Record<string, RecordedResource>;
  /** Journal: creates (and rolls) started but not known to be finished. Keyed by intent id. */
  pending: Record<string, Intent>;
  /**
   * The secret-sink and guardrail configuration of the last successful apply, so a plan can show a reviewer what a
   * config change does (a sink pointed elsewhere, a loosened policy). Absent in states written before it existed.
   */
  applied_config?: AppliedConfig;
}

/**
 * The reviewed part of the config as last applied. No secret: a GitHub sink names the env var holding its token,
 * an age sink lists public recipients.
 */
export interface AppliedConfig {
  /** sha256 (hex) of the canonical JSON of `{defaultSink, sinks, policy}`. */
  digest: string;
  defaultSink: string;
  sinks: Record<string, SinkConfig>;
  policy: GuardrailPolicy;
  /** ISO time of the apply that recorded it. */
  applied_at: string;
}

export interface SinkRef {
  /** Sink name from config. */
  sink: string;
  /** Key under which the sink stores this token's value. */
  key: string;
}

export interface RecordedResource {
  kind: ResourceKind;
  account: string;
  /** `metadata.name`. */
  name: string;
  /** Cloudflare id. */
  id: string;
  /** The Cloudflare-side `name` last applied (how a crashed run finds its resources). */
  cf_name: string;
  /** ISO time of the create or adoption. */
  created_at: string;
  updated_at: string;
  /** Peers: false between the POST {name} and the full PUT; the next run finishes the PUT. */
  complete?: boolean;
  /** Tokens: where the value lives. */
  sink?: SinkRef;
  /**
   * Tokens: `undelivered` when a value was minted but its sink write failed: the next apply rolls and re-delivers.
   * `external`: adopted or imported with `tokens.onAdopt: keep` — the value predates cfgitops and lives wherever it
   * was put, not in `sink`; the planner never rolls it on its own (`rotate` can, delivering to `sink`).
   */
  value_status?: 'delivered' | 'undelivered' | 'external';
  /**
   * Tokens: sinks (and keys) that still hold an old value of this token after its sink changed, recorded when the
   * roll towards the new sink starts and dropped once each removal succeeded (docs/token-lifecycle.md). Absent: none.
   */
  stale_sinks?: SinkRef[];
  /** Tokens: ISO time the current value was minted (create or roll); `rotate --older-than` reads it. */
  value_issued_at?: string;
  /**
   * Tokens: which value this is — 1 for the first, +1 with every rotation (overlap or roll). Absent: 1 (states
   * written before rotation policies existed).
   */
  generation?: number;
  /**
   * Tokens: the token an overlap rotation is replacing (src/executor/rotate-overlap.ts), kept until it is deleted so
   * state names both ids while they overlap. Present from the rotation's first journal write; `expires_on` says when
   * Cloudflare ends it, once it is bounded (after the successor's value reached the sink).
   */
  predecessor?: PredecessorRecord;
  /** How the resource came under management. */
  origin?: 'created' | 'adopted' | 'imported';
  /**
   * Copied from the `cfgitops.dev/prevent-destroy: "true"` annotation at apply time, so a delete stays blocked even
   * after the manifest that carried the annotation is removed.
   */
  prevent_destroy?: boolean;
  /**
   * TSIGs: the secret reference the last successful apply sent the secret from (src/manifest/secret-ref.ts). Only
   * through it do `plan` and `drift` read and compare the secret. Absent (states written before it existed, or a
   * TSIG imported or adopted and not applied since): unknown, treated as not applied.
   */
  secret_ref?: TsigSecretRef;
}

/** A TSIG secret's source: an env var name, or a key file's path relative to the repository root. Never a value. */
export type TsigSecretRef = { fromEnv: string } | { fromFile: string };

/** A token's previous generation during and after an overlap rotation, until a later run deletes it. */
export interface PredecessorRecord {
  /** Its Cloudflare id (the record's `id` until the successor is recorded). */
  id: string;
  /** The name it is given when retired (unique per account, so the successor can take the token's name). */
  cf_name: string;
  /** The generation of its value. */
  generation: number;
  /** ISO time the rotation started. */
  rotated_at: string;
  /** ISO time it stops working, set when it was bounded (expires_on at Cloudflare); absent: not bounded yet. */
  expires_on?: string;
}

export type IntentOp = 'create' | 'roll';

/** Recorded before a create or roll is sent; resolved by name lookup at the next plan if the run died. */
export interface Intent {
  id: string;
  op: IntentOp;
  kind: ResourceKind;
  account: string;
  name: string;
  cf_name: string;
  started_at: string;
  /** For roll: the token id. */
  resource_id?: string;
  /**
   * Zone-level kinds (a transfer link): the zone the create is for, so the next plan reads that zone's link even when
   * its manifest is gone, and deletes what the interrupted run created. Absent in intents written before it existed.
   */
  zone_id?: string;
  sink?: SinkRef;
}

export type StateChange =
  | { type: 'put-resource'; resource: RecordedResource }
  | { type: 'remove-resource'; key: string }
  | { type: 'put-intent'; intent: Intent }
  | { type: 'remove-intent'; id: string }
  | { type: 'put-config'; config: AppliedConfig };

export interface LockOwner {
  /** Who: `user@host` or a CI run id. */
  owner: string;
  /** What: `apply`, `rotate`, … */
  operation: string;
  pid: number;
  host: string;
  /** ISO time. */
  acquired_at: string;
  /** Random id; `force-unlock ID` must name it. */
  id: string;
}

export interface LockOptions {
  /**
   * Lock only these accounts (32-hex ids): runs on disjoint accounts may then hold locks at once, and a commit may
   * touch only resources and intents of these accounts. Absent: the whole state. Backends without per-account locks
   * (file) lock the whole state either way.
   */
  accounts?: readonly string[];
}

export interface StateLock {
  readonly info: LockOwner;
  /**
   * The document as of the last commit under this lock. It is the lock's live document: later commits update it in
   * place (so a commit costs O(change), not a copy of the state); `structuredClone` it to keep a snapshot.
   */
  current(): StateDocument;
  /**
   * Applies the changes and persists atomically (an fsynced write-ahead log record, or one DB transaction), serial
   * + 1. Fails with E_STATE_CONFLICT if someone else committed since (lineage or serial mismatch). Resolves with
   * `current()`.
   */
  commit(changes: readonly StateChange[]): Promise<StateDocument>;
  release(): Promise<void>;
  /**
   * Overwrites the whole document, lineage and serial included, under the same conflict check as `commit`. Only
   * `state migrate` uses it; it needs a whole-state lock.
   */
  replace?(doc: StateDocument): Promise<StateDocument>;
}

export interface StateStore {
  /** `file .cfgitops/state.json`, `postgres workspace=prod` — for messages; never a password. */
  describe(): string;
  /**
   * Reads without locking (plan) and without creating anything (a read-only database role must do). An absent state
   * is an empty document with a fresh lineage and serial 0.
   */
  read(): Promise<StateDocument>;
  /**
   * `state init`: creates or migrates whatever the backend needs before its first write (PostgreSQL: the schema), so
   * it can be done once by a role allowed to, apart from the runs. Returns one line saying what it did. Absent:
   * nothing to prepare.
   */
  init?(): Promise<string>;
  /**
   * Takes the exclusive lock, waiting up to `timeoutMs` (0: fail at once). On timeout: E_STATE_LOCKED naming the
   * holder (owner, operation, pid, host, since) and how to `force-unlock`.
   */
  lock(operation: string, timeoutMs: number, options?: LockOptions): Promise<StateLock>;
  /** Removes a lock left by a dead run. With `id`, only if the current lock has that id. */
  forceUnlock(id?: string): Promise<LockOwner | undefined>;
  /** Who holds the lock now, if anyone. */
  lockHolder(): Promise<LockOwner | undefined>;
  close(): Promise<void>;
}

export function emptyState(lineage: string): StateDocument {
  return { format_version: STATE_FORMAT_VERSION, lineage, serial: 0, resources: {}, pending: {} };
}

/** Pure: the document after applying `changes` (serial untouched: the store bumps it). */
export function applyStateChanges(doc: StateDocument, changes: readonly StateChange[]): StateDocument {
  const next: StateDocument = { ...doc, resources: { ...doc.resources }, pending: { ...doc.pending } };
  applyStateChangesInPlace(next, changes);
  return next;
}

/**
 * Applies `changes` to `doc` itself (serial untouched). What a store holding the live document of a lock uses: copying
 * a 10,000-entry `resources` record costs ~25 ms, which made every commit O(state) even where the write was not.
 */
export function applyStateChangesInPlace(doc: StateDocument, changes: readonly StateChange[]): void {
  for (const c of changes) {
    switch (c.type) {
      case 'put-resource':
        doc.resources[addressKey(c.resource)] = c.resource;
        break;
      case 'remove-resource':
        delete doc.resources[c.key];
        break;
      case 'put-intent':
        doc.pending[c.intent.id] = c.intent;
        break;
      case 'remove-intent':
        delete doc.pending[c.id];
        break;
      case 'put-config':
        doc.applied_config = c.config;
        break;
    }
  }
}
