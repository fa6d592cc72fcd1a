/**
 * The effectful side of the loader: find `*.yaml` / `*.yml` under a directory (recursively; dot-directories and
 * node_modules skipped, symlinked directories not followed), read them through an injected fs, find the repository
 * root, then hand everything to the pure `validateManifests`. A symbolically linked manifest file is read only when
 * it resolves inside the repository and outside `.git/` and `.cfgitops/`: on a pull request the link is the
 * author's, and a parse error quotes the text it read (`leak.yaml -> ../.git/config` would print the checkout's
 * token in an annotation).
 */
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { CfgitopsError, CfgitopsErrors } from '../errors.js';
import { DEFAULT_PARSE_LIMITS, type ManifestFile, type ParseLimits } from './parse-manifest-file.js';
import type { LoadedManifests } from './types.js';
import { escapes, reservedSecretDir, type SecretFileRef } from './check-document.js';
import { sortErrors, validateManifests, type ValidationResult } from './validate-manifests.js';

export interface ManifestFs {
  stat(p: string): Promise<{ size: number; isFile(): boolean; isDirectory(): boolean }>;
  readdir(p: string): Promise<{ name: string; isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }[]>;
  readFile(p: string): Promise<Uint8Array>;
  /** Resolves symbolic links; default: the real file system's. */
  realpath?(p: string): Promise<string>;
}

export const nodeManifestFs: ManifestFs = {
  stat: (p) => stat(p),
  readdir: (p) => readdir(p, { withFileTypes: true }),
  readFile: (p) => readFile(p),
  realpath: (p) => realpath(p),
};

export interface LoadDeps {
  fs: ManifestFs;
  /** Absolute working directory: messages show paths relative to it. */
  cwd: string;
  /** Milliseconds since the epoch (from the injected Clock). */
  now: number;
  limits?: ParseLimits;
  /** What to tell a user whose path does not exist; default: give the manifest directory. */
  missingHint?: string;
}

export const MANIFEST_DIR_HINT = 'give the directory holding the manifests (default: desired-state)';

const MANIFEST_EXTENSION = /\.ya?ml$/i;

/** Never throws for problems in the user's files: they are all in `errors`. */
export async function readManifests(dir: string, deps: LoadDeps): Promise<ValidationResult> {
  const limits = deps.limits ?? DEFAULT_PARSE_LIMITS;
  const absRoot = path.resolve(deps.cwd, dir);
  const display = (abs: string) => {
    const rel = path.relative(deps.cwd, abs);
    return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
  };
  const errors: CfgitopsError[] = [];
  let paths: string[];
  let baseDir: string;
  // Paths that may be symbolic links: the linked entries of the walk, or the one file given.
  const links = new Set<string>();
  try {
    const s = await deps.fs.stat(absRoot);
    baseDir = s.isDirectory() ? absRoot : path.dirname(absRoot);
    paths = s.isDirectory() ? await walk(deps.fs, absRoot, links) : [absRoot];
    if (!s.isDirectory()) links.add(absRoot);
  } catch (cause) {
    // The path itself is wrong: there is no position in a file to point at.
    const code = (cause as { code?: unknown }).code;
    const message =
      code === 'ENOENT'
        ? `no such file or directory: ${display(absRoot)}`
        : `cannot read ${display(absRoot)}${typeof code === 'string' ? ` (${code})` : ''}`;
    const err = new CfgitopsError('E_FILE_READ', message, { hint: deps.missingHint ?? MANIFEST_DIR_HINT, cause });
    return { errors: [err], stats: { files: 0, documents: 0, resources: 0, accounts: 0 } };
  }

  const root = await repositoryRoot(deps.fs, baseDir);
  const realRoot = links.size > 0 && deps.fs.realpath ? await deps.fs.realpath(root).catch(() => root) : root;
  const files: ManifestFile[] = [];
  for (const abs of paths.sort()) {
    const shown = display(abs);
    const location = { file: shown, line: 1, col: 1 };
    try {
      if (links.has(abs) && deps.fs.realpath) {
        const refused = linkRefusal(realRoot, await deps.fs.realpath(abs));
        if (refused !== undefined) {
          errors.push(
            new CfgitopsError('E_PATH_ESCAPE', `the manifest file is a symbolic link ${refused}; it was not read`, {
              location,
              hint: 'manifests must be files inside the repository (outside .git/ and .cfgitops/): copy the file instead of linking it',
            }),
          );
          continue;
        }
      }
      const { size } = await deps.fs.stat(abs);
      // Refuse before reading: a huge file must not be pulled into memory at all.
      if (size > limits.maxFileBytes) {
        errors.push(
          new CfgitopsError('E_FILE_TOO_LARGE', `file is ${size} bytes, over the cap`, {
            location,
            hint: 'split it into several files',
          }),
        );
        continue;
      }
      const bytes = await deps.fs.readFile(abs);
      const relPath = path.relative(baseDir, abs).split(path.sep).join('/');
      files.push({ path: shown, relPath, absDir: path.dirname(abs), bytes });
    } catch (cause) {
      errors.push(new CfgitopsError('E_FILE_READ', 'cannot read file', { location, hint: 'check permissions', cause }));
    }
  }
  const result = validateManifests({ files, dir, cwd: deps.cwd, root, now: deps.now, limits, errors });
  const missing = await missingSecretFiles(deps.fs, result.secretFiles ?? []);
  if (missing.length === 0) return result;
  const { manifests: _invalid, ...rest } = result;
  return { ...rest, errors: sortErrors([...result.errors, ...missing]) };
}

/**
 * A TSIG's `fromFile` that is not there fails `validate`, not just the plan that reads it; whether it is readable
 * (and where a symbolic link leads) is still decided when the secret is read (resolve-secrets.ts).
 */
async function missingSecretFiles(fs: ManifestFs, refs: readonly SecretFileRef[]): Promise<CfgitopsError[]> {
  const exists = new Map<string, Promise<boolean>>();
  const errors: CfgitopsError[] = [];
  for (const ref of refs) {
    let found = exists.get(ref.absPath);
    if (!found) {
      found = fs.stat(ref.absPath).then(
        (s) => s.isFile(),
        () => false,
      );
      exists.set(ref.absPath, found);
    }
    if (await found) continue;
    errors.push(
      new CfgitopsError('E_SECRET_FILE', 'the secret file does not exist (or is not a file)', {
        location: ref.locate(),
        hint: 'fromFile is relative to the manifest file; check the path',
      }),
    );
  }
  return errors;
}

/** Throws CfgitopsErrors with every problem found. */
export async function loadManifests(dir: string, deps: LoadDeps): Promise<LoadedManifests> {
  const result = await readManifests(dir, deps);
  if (!result.manifests) throw new CfgitopsErrors(result.errors);
  return result.manifests;
}

/** Where a linked manifest leads that it may not, or undefined when it stays inside the repository. */
function linkRefusal(realRoot: string, target: string): string | undefined {
  if (escapes(realRoot, target)) return 'leading outside the repository';
  const reserved = reservedSecretDir(realRoot, target);
  return reserved === undefined ? undefined : `leading into ${reserved}/`;
}

/** `links` collects the entries that are symbolic links (to files: linked directories are not followed). */
async function walk(fs: ManifestFs, dir: string, links: Set<string>): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir)) {
    const abs = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && entry.name !== 'node_modules') out.push(...(await walk(fs, abs, links)));
    } else if (MANIFEST_EXTENSION.test(entry.name) && (entry.isFile() || entry.isSymbolicLink())) {
      if (
        entry.isSymbolicLink() &&
        !(await fs.stat(abs).then(
          (s) => s.isFile(),
          () => false,
        ))
      )
        continue;
      if (entry.isSymbolicLink()) links.add(abs);
      out.push(abs);
    }
  }
  return out;
}

/** The nearest ancestor holding `.git` (a directory, or a file in a worktree); else the manifest directory itself. */
export async function repositoryRoot(fs: ManifestFs, start: string): Promise<string> {
  let dir = start;
  for (;;) {
    const found = await fs.stat(path.join(dir, '.git')).then(
      () => true,
      () => false,
    );
    if (found) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
}
