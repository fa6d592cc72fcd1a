/**
 * Where a TSIG secret comes from, as state records it once applied: the env var name, or the key file's path
 * relative to the repository root (POSIX separators, so a state written on one runner reads the same on another).
 * `plan` and `drift` read a TSIG secret only through the reference main last applied (docs/security.md, rule 3): a
 * reference a pull request adds or changes names a variable or file of the PR's choosing, and comparing its value
 * with the live secret would tell the PR whether the two are equal.
 */
import path from 'node:path';
import { addressKey } from '../resources.js';
import type { StateDocument, TsigSecretRef } from '../state/types.js';
import type { DesiredResource, LoadedManifests } from './types.js';

export function secretRefOf(
  r: DesiredResource & { kind: 'SecondaryDnsTsig' },
  manifests: Pick<LoadedManifests, 'cwd' | 'root'>,
): TsigSecretRef {
  const ref = r.spec.secret;
  if ('fromEnv' in ref) return { fromEnv: ref.fromEnv };
  const abs = path.resolve(manifests.cwd, path.dirname(r.source.file), ref.fromFile);
  return { fromFile: path.relative(manifests.root, abs).split(path.sep).join('/') };
}

export function sameSecretRef(a: TsigSecretRef | undefined, b: TsigSecretRef): boolean {
  if (a === undefined) return false;
  return 'fromEnv' in a ? 'fromEnv' in b && a.fromEnv === b.fromEnv : 'fromFile' in b && a.fromFile === b.fromFile;
}

/**
 * The TSIGs (addressKey) whose secret reference is not the one recorded in state: new TSIGs, changed references, and
 * TSIGs recorded by a cfgitops that did not record references yet (unknown counts as not applied: the safe side).
 * Their secret is not read by `plan`/`drift`, and the planner does not compare it (it shows it as changing).
 */
export function uncheckedSecretAddresses(
  manifests: Pick<LoadedManifests, 'resources' | 'cwd' | 'root'>,
  state: Pick<StateDocument, 'resources'>,
): Set<string> {
  const out = new Set<string>();
  for (const r of manifests.resources) {
    if (r.kind !== 'SecondaryDnsTsig') continue;
    const key = addressKey(r.address);
    if (!sameSecretRef(state.resources[key]?.secret_ref, secretRefOf(r, manifests))) out.add(key);
  }
  return out;
}
