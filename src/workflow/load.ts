/**
 * The loader and secret resolution as every command calls them: through the App's cwd, env and clock.
 */
import { readFile, realpath } from 'node:fs/promises';
import type { App } from '../app.js';
import { loadManifests, nodeManifestFs } from '../manifest/load-manifests.js';
import { resolveSecrets } from '../manifest/resolve-secrets.js';
import type { LoadedManifests, ResolvedSecrets } from '../manifest/types.js';

/** For `apply`, whose argument may also be a saved plan. */
export const SAVED_PLAN_OR_DIR_HINT = 'give a saved plan from `plan --out`, or a manifest directory';

export function loadManifestsFor(
  app: App,
  dir: string,
  options: { missingHint?: string } = {},
): Promise<LoadedManifests> {
  return loadManifests(dir, {
    fs: nodeManifestFs,
    cwd: app.cwd,
    now: app.clock.now(),
    ...(options.missingHint === undefined ? {} : { missingHint: options.missingHint }),
  });
}

/** `skip`: TSIGs whose secret is not to be read (see `ResolveSecretsDeps.skip`). */
export function resolveSecretsFor(
  app: App,
  manifests: LoadedManifests,
  skip?: ReadonlySet<string>,
): Promise<ResolvedSecrets> {
  return resolveSecrets(manifests, {
    env: app.env,
    readFile: (p) => readFile(p),
    realpath: (p) => realpath(p),
    ...(skip ? { skip } : {}),
  });
}
