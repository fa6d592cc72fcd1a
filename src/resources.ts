/**
 * The vocabulary shared by every stage: which kinds cfgitops manages and how one resource is addressed.
 */

import type { ResourceKind } from './kinds/registry.js';

/** The kinds themselves are listed once, in the registry (src/kinds/registry.ts). */
export type { ResourceKind };

/** A managed resource's identity in manifests and state: never changes for the life of the resource. */
export interface ResourceAddress {
  kind: ResourceKind;
  /** 32-hex Cloudflare account id (aliases are resolved by the loader). */
  account: string;
  /** `metadata.name` from the manifest. */
  name: string;
}

/**
 * Each address object's key, built once: the planner and loader key Maps by it several times per resource, and each
 * fresh concatenation is a new string that the Map must flatten and hash again (P3 profile, docs/benchmarks.md).
 * Addresses are never mutated once built (an address names the resource for its life).
 */
const keys = new WeakMap<ResourceAddress, string>();

/** `AccountToken/0123…cdef/ci-deploy` — the key used in state, plans and journals. */
export function addressKey(a: ResourceAddress): string {
  let key = keys.get(a);
  if (key === undefined) {
    // join builds one flat string; a template literal here is a chain of four cons strings that every plan keeps.
    key = [a.kind, a.account, a.name].join('/');
    keys.set(a, key);
  }
  return key;
}

export const ACCOUNT_ID_PATTERN = /^[0-9a-f]{32}$/;

export const ANNOTATION_PREVENT_DESTROY = 'cfgitops.dev/prevent-destroy';
/**
 * The one human decision a `held` step waits for: a prevent-destroy token that must be re-created (expired with
 * `recreate`, or revoked as exposed) goes ahead when this names the live id being replaced. Bound to that id, the
 * approval is spent by the replacement (the new token has a new id), so protection stays on for the next one.
 */
export const ANNOTATION_APPROVE_REPLACE = 'cfgitops.dev/approve-replace';
/** Per-resource override of the Config's `tokens.onAdopt` (`keep` | `roll`); `cfgitops export` writes `keep`. */
export const ANNOTATION_ON_ADOPT = 'cfgitops.dev/on-adopt';

/** `"true"`: plans leave the resource (and what depends on it) as it is; see planner/suspend-steps.ts. */
export const ANNOTATION_SUSPEND = 'cfgitops.dev/suspend';

/** The Config's `spec.accounts`: alias → 32-hex account id. */
export type AccountAliases = Readonly<Record<string, string>>;

/** The alias the Config gives an account (the first, when several name it), or undefined. */
export function accountAlias(account: string, aliases: AccountAliases | undefined): string | undefined {
  for (const [alias, id] of Object.entries(aliases ?? {})) if (id === account) return alias;
  return undefined;
}

/**
 * `AccountToken/main/ci-deploy`: an address as people read it, with the account's alias where the Config has one.
 * State, journals and step ids keep the id (`addressKey`): an alias can be renamed, the account cannot.
 */
export function displayAddress(a: ResourceAddress, aliases: AccountAliases | undefined): string {
  const alias = accountAlias(a.account, aliases);
  return alias === undefined ? addressKey(a) : `${a.kind}/${alias}/${a.name}`;
}
