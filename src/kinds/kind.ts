/**
 * What one resource kind declares, in one place (src/kinds/<kind>/index.ts): its manifest schema and how a
 * document becomes a desired resource, how desired and live compare (pure), the live list it is observed with,
 * the API calls and how the executor creates, updates and deletes it (a create may be several calls: the peer's
 * POST then PUT), how import finds it by id, its guardrails, its export entry and its emulator routes. The
 * registry (./registry.ts) lists every kind once; the loader, planner, executor, import, drift and export iterate
 * it instead of switching on the kind.
 *
 * Hooks are methods, not function-typed properties, so a `KindDefinition<'SecondaryDnsPeer'>` is a
 * `KindDefinition<ResourceKind>` (method parameters are bivariant): the registry hands each kind only its own
 * resources, which the table's order and `kind` field guarantee.
 */
import type { ApiContext } from '../cloudflare/api-context.js';
import type { CloudflareApi } from '../cloudflare/types.js';
import type { GuardrailPolicy, ResolvedConfig } from '../config/types.js';
import type { Route } from '../emulator/routes.js';
import type { CfgitopsError, SourceLocation } from '../errors.js';
import type { StepContext } from '../executor/step-context.js';
import type { DesiredResource } from '../manifest/types.js';
import type { LiveAccount } from '../planner/live.js';
import type { FieldChange, PlannedBody, PlanStep } from '../planner/plan.js';
import type { PlanContext } from '../planner/plan-context.js';
import type { PlanOutput } from '../planner/plan-output.js';
import type { GroupsOf, Violation } from '../planner/check-policy.js';
import type { ResourceAddress } from '../resources.js';
import type { Intent, RecordedResource, SinkRef } from '../state/types.js';
import type { ExportKind } from '../workflow/export-kinds.js';
import type { KindTypes, ResourceKind } from './registry.js';

export type DesiredOf<K extends ResourceKind> = Extract<DesiredResource, { kind: K }>;
export type LiveOf<K extends ResourceKind> = KindTypes[K]['live'];

/** The fields every desired resource starts with (filled in by the loader before the kind builds its spec). */
export interface DesiredBaseFields {
  address: Omit<ResourceAddress, 'kind'>;
  accountAlias?: string;
  annotations: Record<string, string>;
  source: SourceLocation;
  locate(pointer: string): SourceLocation;
}

/** A spec field naming another managed resource by `metadata.name` in the same account (checked by the loader). */
export interface KindReference {
  /** A string field, or a list of them. */
  field: string;
  /** Entries that are 32-hex ids name resources cfgitops does not manage (not checked). */
  ids?: boolean;
  target: ResourceKind;
  /** When the name is not declared. */
  hint: string;
}

/** What the planner needs of one desired resource, built once per plan by the kind. */
export interface Adapter {
  body: PlannedBody;
  compare(live: unknown): FieldChange[];
  /** The diff of a create (computed only when creating). */
  creation(): FieldChange[];
  sink?: SinkRef;
}

/** The fields a step of a desired resource starts with (see plan-desired's stepFields). */
export type StepFields = Omit<PlanStep, 'id' | 'action' | 'dependsOn' | 'reason' | 'diff'>;

/** What the observer reads in one account: the zones whose transfer links are in scope. */
export interface ListScope {
  zones: readonly string[];
}

export interface PolicyScope {
  policy: GuardrailPolicy;
  forbidden: ReadonlySet<string>;
  /** A token's granted groups: resolved against the live catalog at plan time, as written in `validate`. */
  groupsOf: GroupsOf;
  now: number;
}

export interface KindDefinition<K extends ResourceKind> {
  kind: K;
  /** For messages: "TSIG key", "peer", "token". */
  noun: string;
  /** What `import KIND` and `export --kind` accept besides the kind itself (lower case). */
  shorthands: readonly string[];
  /** The field of a LiveAccount holding this kind's live list. */
  liveKey: Exclude<keyof LiveAccount, 'permissionGroups' | 'zoneDetails'>;
  /** The manifest document schema and the file it is emitted to under schemas/. */
  document: { file: string; schema: Record<string, unknown> };
  /** Spec fields that name other managed resources. */
  references: readonly KindReference[];
  /** Other kinds whose live lists an export of this kind reads (a peer's `tsig_id` becomes its TSIG's name). */
  observeAlso: readonly ResourceKind[];
  /** Tokens: permission groups are resolved against the account's catalog. */
  needsPermissionGroups: boolean;
  /** Tokens: the resource has a value the executor delivers to a sink (and rolls). */
  hasValue: boolean;
  /** API calls of a create (a peer's POST then PUT: 2), for progress estimates. */
  createCalls: number;

  /** Loader: checks of a spec beyond its schema (run whether or not the schema passed; fields are unknown). */
  checkSpec?(
    spec: Record<string, unknown>,
    locate: (pointer: string) => SourceLocation,
    config: ResolvedConfig,
  ): CfgitopsError[];
  /** Loader: a schema-valid document's spec → the desired resource, defaults filled in. Pure. */
  build(spec: unknown, base: DesiredBaseFields, config: Pick<ResolvedConfig, 'defaultSink' | 'zones'>): DesiredOf<K>;

  /** Planner (pure): body and comparisons for one desired resource; undefined after pushing errors to `out`. */
  adapter(ctx: PlanContext, d: DesiredOf<K>, out: PlanOutput): Adapter | undefined;
  /** Planner: a step for a recorded, live resource when the kind decides more than "diff or not" (tokens). */
  planExisting?(
    ctx: PlanContext,
    d: DesiredOf<K>,
    adapter: Adapter,
    rec: RecordedResource,
    live: LiveOf<K>,
    intent: Intent | undefined,
    common: StepFields,
    out: PlanOutput,
  ): PlanStep;
  /**
   * Planner: a recorded resource in the middle of something the kind must finish first (a token's interrupted
   * overlap rotation); true when it has put the step(s) in `out`, in place of the normal step.
   */
  planInterrupted?(
    ctx: PlanContext,
    d: DesiredOf<K>,
    adapter: Adapter,
    rec: RecordedResource,
    out: PlanOutput,
  ): boolean;
  /**
   * Planner: a desired resource that is neither recorded-and-live nor adoptable must not always be created (a token
   * whose declared expiry is past). Returns what to plan instead (a step, or none); undefined: create it.
   */
  insteadOfCreate?(
    ctx: PlanContext,
    d: DesiredOf<K>,
    adapter: Adapter,
    rec: RecordedResource | undefined,
    createIntent: Intent | undefined,
    common: StepFields,
    out: PlanOutput,
  ): { step: PlanStep | undefined } | undefined;
  /** Planner: why a recorded resource must be updated even without a diff (a peer whose PUT never ran). */
  unfinished?(rec: RecordedResource): string | undefined;
  /** Planner: what an adoption does with a value (tokens: roll or keep), as a reason part. */
  adoptValue?(ctx: PlanContext, d: DesiredOf<K>, byCrashedRun: boolean): { roll: boolean; note: string } | undefined;
  /** Planner: what "re-create" adds to its reason (tokens: " with a new value"). */
  recreateNote?: string;
  /** Planner: fields the re-create of a recorded resource adds to its step (tokens: old values to remove). */
  recreateFields?(
    ctx: PlanContext,
    d: DesiredOf<K>,
    rec: RecordedResource,
    common: StepFields,
    out: PlanOutput,
  ): Partial<Pick<PlanStep, 'removeOldValues'>>;
  /** Planner: called with the step planned for a desired resource (TSIGs publish their id to peers). */
  planned?(d: DesiredOf<K>, step: PlanStep, out: PlanOutput): void;
  /** Guardrails (pure): the config's `policy` on one desired resource; each violation names its rule. */
  policy?(d: DesiredOf<K>, scope: PolicyScope, found: Violation[]): void;

  /** Zone level (a zone transfer link): read per zone in scope, not listed per account. */
  zoneLevel?: boolean;
  /** Observer: the one list call per account (zone-level kinds: one GET per zone in `scope.zones`). */
  list(api: CloudflareApi, account: string, scope: ListScope, signal?: AbortSignal): Promise<LiveOf<K>[]>;
  /** The API calls, as a slice of the client. */
  api(context: ApiContext): KindTypes[K]['api'];

  /** Executor: carry out a create (intent first: executor/create-resource.ts). */
  create(ctx: StepContext): Promise<void>;
  /** Executor: the full PUT of a recorded resource. */
  update(ctx: StepContext, id: string): Promise<void>;
  /** Executor: the DELETE (a 404 is handled by the caller). */
  delete(ctx: StepContext, id: string): Promise<void>;
  /** Executor: fields a record gains on adopt (a peer is complete only if nothing differs; a token's sink). */
  adoptedFields?(ctx: StepContext): Partial<RecordedResource>;
  /** Executor: fields a record gains after a full update (a peer is complete). */
  updatedFields?: Partial<RecordedResource>;

  /** Import: the live Cloudflare name of an id in the account, or undefined when there is none. */
  liveName(api: CloudflareApi, account: string, id: string): Promise<string | undefined>;
  /**
   * `state show`: what a recorded resource is doing now that state cannot say (an outgoing link's transfer status),
   * as label → value lines. Absent: state alone describes the kind.
   */
  liveDetails?(api: CloudflareApi, recorded: RecordedResource): Promise<Record<string, string>>;
  /** Import: fields the record gains (a peer is complete; a token's sink and value status). */
  importedFields?(d: DesiredOf<K>, roll: boolean, config: ResolvedConfig): Partial<RecordedResource>;

  /** `cfgitops export`: how a live resource becomes a manifest. */
  export: ExportKind<K>;
  /** The emulator's routes for this kind, loaded only when an emulator starts. */
  emulatorRoutes(): Promise<readonly Route[]>;
}
