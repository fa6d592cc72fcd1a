/**
 * The loader and secret resolution as every command calls them: through the App's cwd, env and clock.
 */
import { readFile, realpath } from 'node:fs/promises';
import type { App } from '../app.js';
import { loadManifests, nodeManifestFs } from '../manifest/load-manifests.js';
import { resolveSecrets } from '../manifest/resolve-secrets.js';
import type { LoadedManifests, ResolvedSecrets } from '../manifest/types.js';

export function loadManifestsFor(app: App, dir: string): Promise<LoadedManifests> {
  return loadManifests(dir, { fs: nodeManifestFs, cwd: app.cwd, now: app.clock.now() });
}

export function resolveSecretsFor(app: App, manifests: LoadedManifests): Promise<ResolvedSecrets> {
  return resolveSecrets(manifests, { env: app.env, readFile: (p) => readFile(p), realpath: (p) => realpath(p) });
}
