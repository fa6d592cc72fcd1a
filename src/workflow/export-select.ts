/**
 * The pure heart of `cfgitops export`: from what Cloudflare holds, what state records and what the manifests
 * already declare, choose the live resources to write as manifests — those nothing manages or declares yet — and
 * build their documents. Everything left out is listed with the reason, so the report can say what to do.
 */
import { API_VERSION } from '../manifest/schemas/common-schemas.js';
import type { DesiredResource } from '../manifest/types.js';
import { emptyLiveAccount, type LiveSnapshot } from '../planner/live.js';
import type { LiveResource } from '../planner/plan-context.js';
import { addressKey, type ResourceKind } from '../resources.js';
import type { StateDocument } from '../state/types.js';
import { EXPORT_KINDS, type ExportScope, type SecretToProvide, type TsigSecretSource } from './export-kinds.js';
import { allocateNames, compareText } from './export-names.js';
import { permissionGroupNamer } from './export-permission-groups.js';

export interface ExportAccount {
  /** 32-hex account id. */
  account: string;
  /** Its Config alias, else the id: what the manifests' `metadata.account` says. */
  ref: string;
}

export interface ExportInput {
  accounts: readonly ExportAccount[];
  kinds: ReadonlySet<ResourceKind>;
  live: LiveSnapshot;
  state: StateDocument;
  desired: readonly DesiredResource[];
  now: number;
  tsigSecrets: TsigSecretSource;
}

export interface ExportedResource {
  kind: ResourceKind;
  account: string;
  accountRef: string;
  id: string;
  cfName: string;
  /** The `metadata.name` given. */
  name: string;
  document: Record<string, unknown>;
  secret?: SecretToProvide;
}

export interface SkippedResource {
  kind: ResourceKind;
  account: string;
  id: string;
  cfName: string;
  reason: string;
}

export interface ExportSelection {
  /** By account, then kind (create order), then name. */
  resources: ExportedResource[];
  skipped: SkippedResource[];
  /** Live resources state already manages (not exported, not listed one by one). */
  managed: number;
}

export function selectExports(input: ExportInput, exclude: ReadonlySet<string> = new Set()): ExportSelection {
  const selection: ExportSelection = { resources: [], skipped: [], managed: 0 };
  const envTaken = new Set<string>();
  for (const d of input.desired) {
    if (d.kind === 'SecondaryDnsTsig' && 'fromEnv' in d.spec.secret) envTaken.add(d.spec.secret.fromEnv);
  }
  for (const { account, ref } of [...input.accounts].sort((a, b) => compareText(a.account, b.account))) {
    const live = input.live.accounts[account] ?? emptyLiveAccount();
    const known = new KnownNames(input, account);
    const tsigNames = new Map<string, string>();
    const scope: ExportScope = {
      account,
      accountRef: ref,
      now: input.now,
      permissionGroups: permissionGroupNamer(live.permissionGroups),
      tsigNames,
      tsigSecrets: input.tsigSecrets,
      envTaken,
    };
    for (const entry of EXPORT_KINDS) {
      const kind = entry.kind;
      const candidates: LiveResource[] = [];
      for (const r of entry.list(live)) {
        const declared = known.declaredAs(kind, r);
        if (kind === 'SecondaryDnsTsig' && declared !== undefined) tsigNames.set(r.id, declared);
        if (!input.kinds.has(kind)) continue;
        if (known.managed(kind, r.id)) {
          selection.managed++;
          continue;
        }
        if (exclude.has(exclusionKey(kind, account, r.id))) continue;
        const clash = known.clashesWith(kind, r);
        const reason =
          clash !== undefined
            ? `cfgitops already manages another ${entry.noun} of this name as ${clash}: rename or delete this one in Cloudflare`
            : declared !== undefined
              ? `already declared as ${declared}: the next plan adopts it`
              : known.pending(kind, r.name)
                ? `an interrupted cfgitops run was creating a ${entry.noun} of this name: run \`cfgitops apply\` first to resolve it`
                : entry.skip(r, scope);
        if (reason !== undefined) selection.skipped.push({ kind, account, id: r.id, cfName: r.name, reason });
        else candidates.push(r);
      }
      const unique = withoutSharedNames(candidates, (r, count) =>
        selection.skipped.push({
          kind,
          account,
          id: r.id,
          cfName: r.name,
          reason: `${count} unmanaged ${entry.noun}s share this name, so none can be adopted by name: rename or delete the extra ones in Cloudflare, then export again`,
        }),
      );
      const names = allocateNames(
        unique.map((r) => ({ id: r.id, cfName: r.name })),
        known.takenNames(kind),
        entry.fallbackName,
      );
      const exported = unique.map((r) => ({ r, name: names.get(r.id)! })).sort((a, b) => compareText(a.name, b.name));
      for (const { r, name } of exported) {
        const { spec, annotations, secret } = entry.spec(r, name, scope);
        const metadata: Record<string, unknown> = { name, account: ref };
        if (annotations) metadata['annotations'] = annotations;
        selection.resources.push({
          kind,
          account,
          accountRef: ref,
          id: r.id,
          cfName: r.name,
          name,
          document: { apiVersion: API_VERSION, kind, metadata, spec },
          ...(secret ? { secret } : {}),
        });
        if (kind === 'SecondaryDnsTsig') tsigNames.set(r.id, name);
      }
    }
  }
  return selection;
}

/** The key `exclude` is given in: a resource the caller found it cannot export after all. */
export function exclusionKey(kind: ResourceKind, account: string, id: string): string {
  return `${kind}/${account}/${id}`;
}

/** Cloudflare does not keep names unique; adoption matches by name, so a shared name can adopt none of them. */
function withoutSharedNames(
  candidates: readonly LiveResource[],
  onShared: (r: LiveResource, count: number) => void,
): LiveResource[] {
  const count = new Map<string, number>();
  for (const r of candidates) count.set(r.name, (count.get(r.name) ?? 0) + 1);
  return candidates.filter((r) => {
    const n = count.get(r.name) ?? 0;
    if (n > 1) onShared(r, n);
    return n === 1;
  });
}

/** One account's names in state and manifests, per kind. */
class KnownNames {
  readonly #managedIds = new Set<string>();
  readonly #pending = new Set<string>();
  readonly #declaredByCfName = new Map<string, string>();
  readonly #taken = new Map<ResourceKind, Set<string>>();
  /** TSIG ids recorded in state → their address key, to find the declared manifest name. */
  readonly #recordedName = new Map<string, string>();
  readonly #declaredKeys = new Set<string>();
  readonly #recordedKeys = new Set<string>();
  readonly #account: string;

  constructor(input: ExportInput, account: string) {
    this.#account = account;
    for (const r of Object.values(input.state.resources)) {
      if (r.account !== account) continue;
      this.#managedIds.add(`${r.kind}/${r.id}`);
      // An overlap rotation's predecessor is managed too (deleted once expired), never exported.
      if (r.predecessor) this.#managedIds.add(`${r.kind}/${r.predecessor.id}`);
      this.#recordedName.set(`${r.kind}/${r.id}`, r.name);
      this.#recordedKeys.add(addressKey(r));
      this.#take(r.kind, r.name);
    }
    for (const i of Object.values(input.state.pending)) {
      if (i.account !== account) continue;
      if (i.op === 'create') this.#pending.add(`${i.kind}/${i.cf_name}`);
      this.#take(i.kind, i.name);
    }
    for (const d of input.desired) {
      if (d.address.account !== account) continue;
      this.#declaredByCfName.set(`${d.kind}/${d.spec.name}`, d.address.name);
      this.#declaredKeys.add(addressKey(d.address));
      this.#take(d.kind, d.address.name);
    }
  }

  managed(kind: ResourceKind, id: string): boolean {
    return this.#managedIds.has(`${kind}/${id}`);
  }

  pending(kind: ResourceKind, cfName: string): boolean {
    return this.#pending.has(`${kind}/${cfName}`);
  }

  /** The manifest name this live resource is managed under, or that the next plan adopts it as. */
  declaredAs(kind: ResourceKind, r: LiveResource): string | undefined {
    const recorded = this.#recordedName.get(`${kind}/${r.id}`);
    if (recorded !== undefined) return this.#declaredKeys.has(this.#key(kind, recorded)) ? recorded : undefined;
    const byName = this.#declaredByCfName.get(`${kind}/${r.name}`);
    return byName !== undefined && !this.#recordedKeys.has(this.#key(kind, byName)) ? byName : undefined;
  }

  /** For an unmanaged resource: the declared and recorded resource whose Cloudflare name it shares. */
  clashesWith(kind: ResourceKind, r: LiveResource): string | undefined {
    const byName = this.#declaredByCfName.get(`${kind}/${r.name}`);
    return byName !== undefined && this.#recordedKeys.has(this.#key(kind, byName)) ? byName : undefined;
  }

  #key(kind: ResourceKind, name: string): string {
    return addressKey({ kind, account: this.#account, name });
  }

  takenNames(kind: ResourceKind): Set<string> {
    return this.#taken.get(kind) ?? new Set();
  }

  #take(kind: ResourceKind, name: string): void {
    let set = this.#taken.get(kind);
    if (!set) this.#taken.set(kind, (set = new Set()));
    set.add(name);
  }
}
