/**
 * The pure core of the loader: manifest files' bytes (+ the current time and the repository root) → LoadedManifests,
 * or every error in every file. No fs, no clock: `loadManifests` is the effectful wrapper.
 */
import { sha256 } from '../sha256.js';
import { resolveConfig, type ConfigSpec } from '../config/resolve-config.js';
import { defaultConfig, type ResolvedConfig } from '../config/types.js';
import { CfgitopsError, formatLocation } from '../errors.js';
import { API_VERSION } from './schemas/common-schemas.js';
import { MANIFEST_KINDS, type ManifestKind } from './schemas/index.js';
import { buildResource } from './build-resource.js';
import { checkDocument, cidrHostBitErrors, type SecretFileRef } from './check-document.js';
import { crossCheck, type CrossCheckEntry } from './cross-check.js';
import { didYouMeanHint } from './did-you-mean.js';
import {
  DEFAULT_PARSE_LIMITS,
  parseManifestFile,
  type ManifestFile,
  type ParseLimits,
  type ParsedDocument,
} from './parse-manifest-file.js';
import { schemaErrors } from './schema-errors.js';
import type { ResourceKind } from '../resources.js';
import type { DesiredResource, LoadedManifests } from './types.js';
import { documentValidators } from './validators.js';

export interface ValidateInput {
  files: readonly ManifestFile[];
  /** The directory as the user gave it. */
  dir: string;
  cwd: string;
  root: string;
  /** Milliseconds since the epoch: `expires_on` in the past is an error. */
  now: number;
  limits?: ParseLimits;
  /** Errors found before parsing (unreadable or oversized files), reported with the rest. */
  errors?: readonly CfgitopsError[];
}

export interface ValidationResult {
  /** Present when there are no errors. */
  manifests?: LoadedManifests;
  errors: CfgitopsError[];
  /** Counts for summaries, also when invalid. */
  stats: { files: number; documents: number; resources: number; accounts: number };
  /** Every TSIG `fromFile` inside the repository, for the effectful loader to check it exists. */
  secretFiles?: SecretFileRef[];
  /**
   * The config in force and every resource document that built, also when other documents have errors, so `validate`
   * runs the guardrails on them in the same pass. Absent when the Config itself has errors (its policy is unknown).
   */
  checkable?: { config: ResolvedConfig; resources: DesiredResource[] };
}

interface Classified {
  kind: ManifestKind;
  doc: ParsedDocument;
}

export function validateManifests(input: ValidateInput): ValidationResult {
  const files = [...input.files].sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
  const errors: CfgitopsError[] = [...(input.errors ?? [])];
  const classified: Classified[] = [];
  let documents = 0;
  for (const file of files) {
    const parsed = parseManifestFile(file, input.limits ?? DEFAULT_PARSE_LIMITS);
    errors.push(...parsed.errors);
    documents += parsed.documents.length;
    for (const doc of parsed.documents) {
      const kind = classify(doc, errors);
      if (kind) classified.push({ kind, doc });
    }
  }

  const validators = documentValidators();
  const configs = classified.filter((c) => c.kind === 'Config');
  const { config, usable } = loadConfig(configs, errors);
  const ctx = { config, configUsable: usable, now: input.now, root: input.root };

  const resources: DesiredResource[] = [];
  const identities: CrossCheckEntry[] = [];
  const secretFiles: SecretFileRef[] = [];
  for (const { kind, doc } of classified) {
    if (kind === 'Config') continue;
    const validate = validators[kind];
    const valid = validate(doc.value);
    if (!valid) {
      const inline = inlineSecretErrors(kind, doc);
      const skip = inline.length > 0 ? /^\/spec\/(secret|value)(\/|$)/ : undefined;
      errors.push(...schemaErrors(validate.errors ?? [], doc.locate).filter((e) => !skip?.test(pointerOf(e))));
      errors.push(...inline);
    }
    // Also on a document the schema refused: its other mistakes are reported in this same run.
    const checked = checkDocument(doc, kind, ctx);
    errors.push(...checked.errors);
    if (checked.secretFile) secretFiles.push(checked.secretFile);
    const { account } = checked;
    if (account === undefined) continue;
    if (valid) {
      const resource = buildResource(doc, account, checked.accountAlias, config);
      resources.push(resource);
      identities.push(resource);
    } else {
      const identity = partialIdentity(kind, doc, account, checked.accountAlias);
      if (identity) identities.push(identity);
    }
  }
  errors.push(...crossCheck(identities));

  const accounts = new Set(resources.map((r) => r.address.account)).size;
  const stats = { files: files.length, documents, resources: resources.length, accounts };
  const checkable = usable ? { checkable: { config, resources } } : {};
  if (errors.length > 0) return { errors: sortErrors(errors), stats, secretFiles, ...checkable };
  let digest: string | undefined;
  let hashed: readonly ManifestFile[] | undefined = files;
  return {
    errors: [],
    stats,
    secretFiles,
    ...checkable,
    manifests: {
      dir: input.dir,
      config,
      resources,
      // Computed when first read (plan, apply): `validate` never reads it, and hashing loads node:crypto.
      get digest() {
        if (digest === undefined) {
          digest = manifestDigest(hashed ?? []);
          hashed = undefined; // the files' bytes can go once hashed
        }
        return digest;
      },
      files: files.map((f) => f.path),
      cwd: input.cwd,
      root: input.root,
    },
  };
}

function classify(doc: ParsedDocument, errors: CfgitopsError[]): ManifestKind | undefined {
  const v = doc.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    errors.push(
      new CfgitopsError('E_DOC_NOT_MAP', 'document is not a mapping', {
        location: doc.locate(''),
        hint: 'each document is a mapping with apiVersion, kind, metadata and spec',
      }),
    );
    return undefined;
  }
  const { apiVersion, kind } = v as Record<string, unknown>;
  let ok = true;
  if (apiVersion !== API_VERSION) {
    ok = false;
    errors.push(
      new CfgitopsError(
        'E_UNKNOWN_API_VERSION',
        apiVersion === undefined ? 'apiVersion is missing' : `unknown apiVersion ${JSON.stringify(apiVersion)}`,
        { location: doc.locate('/apiVersion'), hint: `write apiVersion: ${API_VERSION}` },
      ),
    );
  }
  if (typeof kind !== 'string' || !(MANIFEST_KINDS as readonly string[]).includes(kind)) {
    const hint = typeof kind === 'string' ? didYouMeanHint(kind, MANIFEST_KINDS) : undefined;
    errors.push(
      new CfgitopsError(
        'E_UNKNOWN_KIND',
        kind === undefined ? 'kind is missing' : `unknown kind ${JSON.stringify(kind)}`,
        {
          location: doc.locate('/kind'),
          hint: hint ?? `kind is one of ${MANIFEST_KINDS.join(', ')}`,
        },
      ),
    );
    return undefined;
  }
  return ok ? (kind as ManifestKind) : undefined;
}

/**
 * The first Config document is the one in force; every one of them is checked all the same, so a second Config's
 * own mistakes show next to E_DUPLICATE_CONFIG instead of after the duplicate is merged away.
 */
function loadConfig(
  configs: readonly Classified[],
  errors: CfgitopsError[],
): { config: ResolvedConfig; usable: boolean } {
  let used: { config: ResolvedConfig; usable: boolean } = { config: defaultConfig(), usable: true };
  const validate = documentValidators().Config;
  configs.forEach(({ doc }, i) => {
    if (i > 0) {
      errors.push(
        new CfgitopsError(
          'E_DUPLICATE_CONFIG',
          `a Config document is already at ${formatLocation(configs[0]!.doc.locate(''))}`,
          { location: doc.locate(''), hint: 'merge them into one Config document' },
        ),
      );
    }
    const valid = validate(doc.value);
    if (!valid) errors.push(...schemaErrors(validate.errors ?? [], doc.locate));
    const policy = asRecord(asRecord(asRecord(doc.value)?.['spec'])?.['policy']);
    errors.push(...cidrHostBitErrors(policy?.['peerAllowedCidrs'], '/spec/policy/peerAllowedCidrs', doc.locate));
    if (!valid) {
      if (i === 0) used = { config: defaultConfig(), usable: false };
      return;
    }
    const spec = (doc.value as { spec?: ConfigSpec }).spec;
    const resolved = resolveConfig(spec, (p) => doc.locate(p), doc.locate(''));
    errors.push(...resolved.errors);
    if (i === 0) used = { config: resolved.config, usable: resolved.errors.length === 0 };
  });
  return used;
}

/** Identity of a document the schema refused, for the cross-document checks; none without a string name. */
function partialIdentity(
  kind: ResourceKind,
  doc: ParsedDocument,
  account: string,
  accountAlias: string | undefined,
): CrossCheckEntry | undefined {
  const value = asRecord(doc.value);
  const name = asRecord(value?.['metadata'])?.['name'];
  if (typeof name !== 'string') return undefined;
  const spec = asRecord(value?.['spec']);
  return {
    kind,
    address: { kind, account, name },
    ...(accountAlias !== undefined ? { accountAlias } : {}),
    spec: { name: spec?.['name'], tsig: spec?.['tsig'] },
    source: doc.locate(''),
    locate: doc.locate,
  };
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** A secret written inline is refused with its own code (and no schema noise), and its value is never echoed. */
function inlineSecretErrors(kind: ManifestKind, doc: ParsedDocument): CfgitopsError[] {
  const spec = (doc.value as { spec?: unknown }).spec;
  if (spec === null || typeof spec !== 'object') return [];
  const { secret, value } = spec as { secret?: unknown; value?: unknown };
  const scalar = (x: unknown) => x !== undefined && x !== null && typeof x !== 'object';
  if (kind === 'SecondaryDnsTsig' && scalar(secret)) {
    return [
      new CfgitopsError('E_INLINE_SECRET', 'the TSIG secret is written inline', {
        location: doc.locate('/spec/secret'),
        hint: 'manifests live in git: write secret: {fromEnv: VAR} or {fromFile: path}, and rotate the exposed key',
      }),
    ];
  }
  if (kind === 'AccountToken' && (scalar(secret) || value !== undefined)) {
    return [
      new CfgitopsError('E_INLINE_SECRET', 'a token value is written in the manifest', {
        location: doc.locate(value !== undefined ? '/spec/value' : '/spec/secret'),
        hint: 'Cloudflare mints token values; secret: {sink, key} says where cfgitops delivers it',
      }),
    ];
  }
  return [];
}

function pointerOf(e: CfgitopsError): string {
  return e.location?.pointer ?? '';
}

export function sortErrors(errors: CfgitopsError[]): CfgitopsError[] {
  const key = (e: CfgitopsError) => e.location;
  return errors.sort((a, b) => {
    const la = key(a);
    const lb = key(b);
    if (!la || !lb) return la ? 1 : lb ? -1 : 0;
    return la.file < lb.file ? -1 : la.file > lb.file ? 1 : la.line - lb.line || la.col - lb.col;
  });
}

export function manifestDigest(files: readonly Pick<ManifestFile, 'relPath' | 'bytes'>[]): string {
  const hash = sha256();
  const sorted = [...files].sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
  for (const f of sorted) {
    hash.update(`${f.relPath}\0${f.bytes.length}\0`);
    hash.update(f.bytes);
  }
  return hash.digest('hex');
}
