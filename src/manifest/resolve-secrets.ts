/**
 * TSIG secret references → `Secret`s, keyed by addressKey. Collects every problem; never puts a value in a message.
 */
import { realpath as nodeRealpath } from 'node:fs/promises';
import path from 'node:path';
import { CfgitopsError, CfgitopsErrors } from '../errors.js';
import { addressKey } from '../resources.js';
import { Secret } from '../secret.js';
import { escapes, reservedSecretDir } from './check-document.js';
import type { LoadedManifests, ResolvedSecrets } from './types.js';

export interface ResolveSecretsDeps {
  env: Readonly<Record<string, string | undefined>>;
  readFile(absPath: string): Promise<Uint8Array | string>;
  /** Resolves symbolic links (fs.realpath); defaults to the real file system's. */
  realpath?: (absPath: string) => Promise<string>;
  /**
   * TSIGs (addressKey) whose secret must not be read: `plan`/`drift` pass those whose reference is not the applied
   * one (src/manifest/secret-ref.ts). An env var is then not even looked at; a file's path is still checked (it must
   * resolve inside the repository, outside .git/ and .cfgitops/) but its content is not read. Not in the result.
   */
  skip?: ReadonlySet<string>;
}

/** A secret file's fate, shared by every TSIG naming it. */
type SecretFile = { escapes: boolean; reserved?: string; value: string } | { cause: unknown };

export async function resolveSecrets(
  manifests: Pick<LoadedManifests, 'resources' | 'cwd' | 'root'>,
  deps: ResolveSecretsDeps,
): Promise<ResolvedSecrets> {
  const out = new Map<string, Secret>();
  const errors: CfgitopsError[] = [];
  const realpath = deps.realpath ?? nodeRealpath;
  let realRoot: Promise<string> | undefined;
  const files = new Map<string, Promise<SecretFile>>();
  // The textual check below is what the pure validator can do; a committed symlink (`key -> /etc/hostname`)
  // passes it. Only the resolved paths say where the bytes really come from.
  const readSecretFile = async (abs: string, readContent: boolean): Promise<SecretFile> => {
    try {
      realRoot ??= realpath(manifests.root).catch(() => manifests.root);
      const real = await realpath(abs);
      const root = await realRoot;
      if (escapes(root, real)) return { escapes: true, value: '' };
      const reserved = reservedSecretDir(root, real);
      if (reserved !== undefined) return { escapes: false, reserved, value: '' };
      if (!readContent) return { escapes: false, value: '' };
      const raw = await deps.readFile(real);
      const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
      return { escapes: false, value: text.replace(/\r?\n$/, '') };
    } catch (cause) {
      return { cause };
    }
  };
  for (const r of manifests.resources) {
    if (r.kind !== 'SecondaryDnsTsig') continue;
    const ref = r.spec.secret;
    const skipped = deps.skip?.has(addressKey(r.address)) === true;
    if ('fromEnv' in ref) {
      if (skipped) continue;
      const value = deps.env[ref.fromEnv];
      if (value === undefined || value === '') {
        errors.push(
          new CfgitopsError('E_SECRET_ENV_MISSING', `environment variable ${ref.fromEnv} is not set`, {
            location: r.locate('/spec/secret/fromEnv'),
            hint: `export ${ref.fromEnv} with the TSIG secret (base64) before running`,
          }),
        );
        continue;
      }
      out.set(addressKey(r.address), new Secret(value));
      continue;
    }
    // Located only on error: a pointer below the root costs a positioned re-parse of the file (fast-yaml.ts).
    const location = () => r.locate('/spec/secret/fromFile');
    const abs = path.resolve(manifests.cwd, path.dirname(r.source.file), ref.fromFile);
    if (escapes(manifests.root, abs)) {
      errors.push(
        new CfgitopsError('E_PATH_ESCAPE', 'fromFile points outside the repository', { location: location() }),
      );
      continue;
    }
    // Many TSIGs often share one key file: resolve and read each path once per run, not once per TSIG.
    const fileKey = `${skipped ? 'checked' : 'read'}\0${abs}`;
    let file = files.get(fileKey);
    if (!file) {
      file = readSecretFile(abs, !skipped);
      files.set(fileKey, file);
    }
    const read = await file;
    if ('cause' in read) {
      const code = (read.cause as { code?: unknown }).code;
      errors.push(
        new CfgitopsError(
          'E_SECRET_FILE',
          `cannot read the secret file${typeof code === 'string' ? ` (${code})` : ''}`,
          {
            location: location(),
            hint: 'fromFile is relative to the manifest file; check the path and permissions',
            cause: read.cause,
          },
        ),
      );
      continue;
    }
    if (read.escapes) {
      errors.push(
        new CfgitopsError('E_PATH_ESCAPE', 'fromFile leads outside the repository through a symbolic link', {
          location: location(),
          hint: 'secret files must resolve to files inside the repository; use fromEnv for a secret kept elsewhere',
        }),
      );
      continue;
    }
    if (read.reserved !== undefined) {
      errors.push(
        new CfgitopsError('E_SECRET_REF_FORBIDDEN', `fromFile leads into ${read.reserved}/ through a symbolic link`, {
          location: location(),
          hint: 'keep TSIG secret files in a directory of their own inside the repository (docs/security.md)',
        }),
      );
      continue;
    }
    if (skipped) continue;
    if (read.value === '') {
      errors.push(new CfgitopsError('E_SECRET_FILE', 'the secret file is empty', { location: location() }));
      continue;
    }
    out.set(addressKey(r.address), new Secret(read.value));
  }
  if (errors.length > 0) throw new CfgitopsErrors(errors);
  return out;
}
