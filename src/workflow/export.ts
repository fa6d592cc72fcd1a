/**
 * `cfgitops export`: writes manifests for the live resources nothing manages yet, so an existing account is
 * onboarded in one command. Read-only towards Cloudflare and state: the same list calls as a plan (one per kind per
 * account, plus the permission-group catalog; never a GET per resource), no lock (like plan it writes no state).
 *
 * What it writes is checked before any byte reaches the disk: the tree as it will be is loaded through the real
 * loader (export-overlay-fs.ts); a document the loader would refuse is left out and listed with the loader's error.
 * Each file is replaced atomically, and a file is only ever extended when it is exactly as export last wrote it.
 */
import * as fsPromises from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App, Target } from '../app.js';
import { CfgitopsError, type CfgitopsErrorJson } from '../errors.js';
import { observeLive, type ObserveNeeds } from '../executor/observe.js';
import { writeFileAtomic } from '../fs/write-file-atomic.js';
import { didYouMeanHint } from '../manifest/did-you-mean.js';
import { nodeManifestFs, readManifests } from '../manifest/load-manifests.js';
import { SCHEMA_BASE } from '../manifest/schemas/common-schemas.js';
import { DOCUMENT_SCHEMAS } from '../manifest/schemas/index.js';
import type { LoadedManifests } from '../manifest/types.js';
import { KINDS, RESOURCE_KINDS, type ResourceKind } from '../kinds/registry.js';
import { ACCOUNT_ID_PATTERN } from '../resources.js';
import type { SecretToProvide, TsigSecretSource } from './export-kinds.js';
import { exportFiles, fileStem, type ExportFile } from './export-files.js';
import { overlayManifestFs } from './export-overlay-fs.js';
import {
  exclusionKey,
  selectExports,
  type ExportAccount,
  type ExportInput,
  type ExportedResource,
  type SkippedResource,
} from './export-select.js';
import { parseKind } from './import.js';
import { loadManifestsFor } from './load.js';

export interface ExportRequest {
  dir: string;
  /** Where the files go; must be inside `dir` so that `plan dir` sees them. Default: `dir`. */
  out?: string;
  /** Aliases or ids; default every account the Config aliases or the manifests name. */
  accounts: readonly string[];
  /** Kind names or shorthands (token, peer, tsig); default every kind. */
  kinds: readonly string[];
  tsigSecrets: TsigSecretSource;
  emulator: boolean;
  /** Called once connected, before any API call (the CLI says where it is reading from). */
  onTarget?: (target: Target) => void;
}

export interface ExportedFile {
  /** As shown to the user (relative to the working directory). */
  path: string;
  action: 'create' | 'append';
  kind: ResourceKind;
  account: string;
  resources: number;
  /** Files left alone because they were edited (new resources went to `path` instead). */
  leftAlone: string[];
}

export interface SecretToSet {
  account: string;
  tsig: string;
  /** The variable to export, or the file to create (as shown, relative to the working directory). */
  fromEnv?: string;
  fromFile?: string;
}

export interface ExportOutcome {
  target: string;
  accounts: ExportAccount[];
  files: ExportedFile[];
  exported: ExportedResource[];
  skipped: (SkippedResource & { error?: CfgitopsErrorJson })[];
  managed: number;
  secrets: SecretToSet[];
}

/** The package's own schemas/ (two levels above both src/workflow/ and dist/workflow/). */
const SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

export async function exportWorkflow(app: App, request: ExportRequest): Promise<ExportOutcome> {
  const manifests = await loadManifestsFor(app, request.dir);
  const dirAbs = app.resolvePath(request.dir);
  const outAbs = app.resolvePath(request.out ?? request.dir);
  await assertOutInsideDir(dirAbs, outAbs, request);
  const kinds = request.kinds.length > 0 ? new Set(request.kinds.map(parseKind)) : new Set(RESOURCE_KINDS);
  const accounts = exportAccounts(manifests, request.accounts);
  const target = await app.connect(manifests.config, { emulator: request.emulator, operation: 'export' });
  let input: ExportInput;
  try {
    request.onTarget?.(target);
    const state = await target.state.read();
    const live = await observeLive(target.api, observeNeedsFor(accounts, kinds));
    input = {
      accounts,
      kinds,
      live,
      state,
      desired: manifests.resources,
      now: app.clock.now(),
      tsigSecrets: request.tsigSecrets,
    };
  } finally {
    await target.close();
  }
  const existing = await readExisting(outAbs, accounts, kinds);
  const schemaRef = (rel: string, kind: ResourceKind): string => {
    const file = DOCUMENT_SCHEMAS[kind].file;
    const from = path.dirname(path.join(outAbs, rel));
    const inRepo = !path.relative(manifests.root, SCHEMAS_DIR).startsWith('..');
    return inRepo
      ? path.relative(from, path.join(SCHEMAS_DIR, file)).split(path.sep).join('/')
      : `${SCHEMA_BASE}${file}`;
  };

  // Choose, render, load the result; leave out what the loader refuses; repeat until the tree loads clean.
  const refused = new Map<string, CfgitopsErrorJson>();
  const refusedResources: (SkippedResource & { error?: CfgitopsErrorJson })[] = [];
  for (;;) {
    const selection = selectExports(input, new Set(refused.keys()));
    const files = exportFiles(selection.resources, { existing, schemaRef });
    const culprits = await refusedByLoader(app, request.dir, outAbs, files);
    if (culprits.length === 0) {
      await writeFiles(outAbs, files);
      return outcome(app, target.describe, accounts, outAbs, selection, files, refusedResources);
    }
    for (const { resource, error } of culprits) {
      refused.set(exclusionKey(resource.kind, resource.account, resource.id), error);
      refusedResources.push({
        kind: resource.kind,
        account: resource.account,
        id: resource.id,
        cfName: resource.cfName,
        reason: `its manifest would not load: ${error.message}`,
        error,
      });
    }
  }
}

function observeNeedsFor(accounts: readonly ExportAccount[], kinds: ReadonlySet<ResourceKind>): ObserveNeeds {
  const listed = new Set(kinds);
  // Peers name their TSIG by manifest name: the TSIG list says which names those are.
  for (const k of KINDS) if (kinds.has(k.kind)) for (const other of k.observeAlso) listed.add(other);
  return {
    kinds: new Map(accounts.map((a) => [a.account, listed])),
    permissionGroups: new Set(
      KINDS.some((k) => k.needsPermissionGroups && kinds.has(k.kind)) ? accounts.map((a) => a.account) : [],
    ),
  };
}

/** The accounts asked for, or every account the Config aliases or the manifests name; each with its alias if any. */
function exportAccounts(manifests: LoadedManifests, refs: readonly string[]): ExportAccount[] {
  const aliases = manifests.config.accounts;
  const aliasOf = new Map<string, string>();
  for (const alias of Object.keys(aliases).sort()) {
    const id = aliases[alias]!;
    if (!aliasOf.has(id)) aliasOf.set(id, alias);
  }
  const ids = new Set<string>();
  for (const ref of refs) {
    const id = aliases[ref] ?? (ACCOUNT_ID_PATTERN.test(ref) ? ref : undefined);
    if (id === undefined) {
      throw new CfgitopsError(
        'E_UNKNOWN_ACCOUNT',
        `--account ${ref} is neither an alias of the Config nor an account id`,
        {
          hint:
            didYouMeanHint(ref, Object.keys(aliases)) ?? 'give an alias from spec.accounts, or the 32-hex account id',
        },
      );
    }
    ids.add(id);
  }
  if (refs.length === 0) {
    for (const id of Object.values(aliases)) ids.add(id);
    for (const r of manifests.resources) ids.add(r.address.account);
  }
  if (ids.size === 0) {
    throw new CfgitopsError('E_USAGE', 'no account to export from', {
      hint: 'pass --account ID (or define an alias under spec.accounts in the Config document)',
    });
  }
  return [...ids].sort().map((account) => ({ account, ref: aliasOf.get(account) ?? account }));
}

async function assertOutInsideDir(dirAbs: string, outAbs: string, request: ExportRequest): Promise<void> {
  const isDir = await fsPromises.stat(dirAbs).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) {
    throw new CfgitopsError('E_USAGE', `${request.dir} is not a directory`, {
      hint: 'give the manifest directory (default desired-state); export writes its files into it',
    });
  }
  const rel = path.relative(dirAbs, outAbs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new CfgitopsError('E_USAGE', `--out ${request.out ?? ''} is outside the manifest directory ${request.dir}`, {
      hint: `give a directory inside ${request.dir} (e.g. ${path.join(request.dir, 'imported')}), so that \`cfgitops plan ${request.dir}\` sees what export writes`,
    });
  }
}

/** Existing `<account>/<kind file>[.N].yaml` under the output directory, by relative path. */
async function readExisting(
  outAbs: string,
  accounts: readonly ExportAccount[],
  kinds: ReadonlySet<ResourceKind>,
): Promise<Map<string, string>> {
  const existing = new Map<string, string>();
  for (const { ref } of accounts) {
    const names = await fsPromises.readdir(path.join(outAbs, ref)).catch(() => [] as string[]);
    for (const kind of kinds) {
      const pattern = new RegExp(`^${fileStem(kind)}(\\.\\d+)?\\.yaml$`);
      for (const name of names.filter((n) => pattern.test(n))) {
        existing.set(`${ref}/${name}`, await fsPromises.readFile(path.join(outAbs, ref, name), 'utf8'));
      }
    }
  }
  return existing;
}

/** Loads the tree with the files laid over it; returns the exported documents the loader refuses, with why. */
async function refusedByLoader(
  app: App,
  dir: string,
  outAbs: string,
  files: readonly ExportFile[],
): Promise<{ resource: ExportedResource; error: CfgitopsErrorJson }[]> {
  if (files.length === 0) return [];
  const overlay = new Map(files.map((f) => [path.join(outAbs, f.path), f.text]));
  // The secret files the user is asked to create: present in the tree as it will be (never written by export).
  for (const f of files) {
    for (const r of f.added) {
      if (r.secret && 'fromFile' in r.secret) {
        overlay.set(path.join(outAbs, path.dirname(f.path), r.secret.fromFile), 'provided by the user');
      }
    }
  }
  const result = await readManifests(dir, {
    fs: overlayManifestFs(nodeManifestFs, overlay),
    cwd: app.cwd,
    now: app.clock.now(),
  });
  if (result.manifests) return [];
  const culprits = new Map<ExportedResource, CfgitopsErrorJson>();
  const unplaced: CfgitopsError[] = [];
  for (const error of result.errors) {
    const file = files.find(
      (f) => error.location && app.resolvePath(error.location.file) === path.join(outAbs, f.path),
    );
    const line = error.location?.line ?? 0;
    // The document whose `---` is at or before the error's line (its content starts two lines later).
    const index = file ? file.lines.findLastIndex((start) => start - 2 <= line) : -1;
    const resource = file && index >= 0 ? file.added[index] : undefined;
    if (resource) {
      if (!culprits.has(resource)) culprits.set(resource, error.toJSON());
    } else {
      unplaced.push(error);
    }
  }
  if (culprits.size === 0) {
    // Nothing of ours to leave out: the tree was valid before, so this is a bug in export.
    throw new CfgitopsError(
      'E_INTERNAL',
      `the exported files would not load: ${unplaced.map((e) => e.format()).join('; ')}`,
      {
        hint: 'nothing was written; please report this as a bug',
      },
    );
  }
  return [...culprits].map(([resource, error]) => ({ resource, error }));
}

async function writeFiles(outAbs: string, files: readonly ExportFile[]): Promise<void> {
  for (const f of files) {
    const abs = path.join(outAbs, f.path);
    const now = await fsPromises.readFile(abs, 'utf8').catch(() => undefined);
    if (now !== f.previous) {
      throw new CfgitopsError('E_EXPORT_CONFLICT', `${abs} changed while export was running; it was not overwritten`, {
        hint: 'run export again',
      });
    }
    await fsPromises.mkdir(path.dirname(abs), { recursive: true });
    // Manifests hold no secret: readable like any file of the repository.
    await writeFileAtomic(fsPromises, abs, f.text, { mode: 0o644 });
  }
}

function outcome(
  app: App,
  target: string,
  accounts: ExportAccount[],
  outAbs: string,
  selection: ReturnType<typeof selectExports>,
  files: readonly ExportFile[],
  refused: (SkippedResource & { error?: CfgitopsErrorJson })[],
): ExportOutcome {
  const shown = (abs: string): string => {
    const rel = path.relative(app.cwd, abs);
    return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
  };
  const fileOf = new Map<ExportedResource, ExportFile>();
  for (const f of files) for (const r of f.added) fileOf.set(r, f);
  const secrets: SecretToSet[] = [];
  for (const r of selection.resources) {
    const ref: SecretToProvide | undefined = r.secret;
    if (!ref) continue;
    const entry: SecretToSet = { account: r.accountRef, tsig: r.name };
    if ('fromEnv' in ref) entry.fromEnv = ref.fromEnv;
    else entry.fromFile = shown(path.join(outAbs, path.dirname(fileOf.get(r)!.path), ref.fromFile));
    secrets.push(entry);
  }
  return {
    target,
    accounts,
    files: files.map((f) => ({
      path: shown(path.join(outAbs, f.path)),
      action: f.action,
      kind: f.kind,
      account: f.accountRef,
      resources: f.added.length,
      leftAlone: f.leftAlone.map((p) => shown(path.join(outAbs, p))),
    })),
    exported: selection.resources,
    skipped: [...selection.skipped, ...refused],
    managed: selection.managed,
    secrets,
  };
}
