/**
 * The vocabulary shared by every stage: which kinds cfgitops manages and how one resource is addressed.
 */

export const RESOURCE_KINDS = ['SecondaryDnsTsig', 'SecondaryDnsPeer', 'AccountToken'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** A managed resource's identity in manifests and state: never changes for the life of the resource. */
export interface ResourceAddress {
  kind: ResourceKind;
  /** 32-hex Cloudflare account id (aliases are resolved by the loader). */
  account: string;
  /** `metadata.name` from the manifest. */
  name: string;
}

/** `AccountToken/0123…cdef/ci-deploy` — the key used in state, plans and journals. */
export function addressKey(a: ResourceAddress): string {
  return `${a.kind}/${a.account}/${a.name}`;
}

export function parseAddressKey(key: string): ResourceAddress | undefined {
  const m = /^(SecondaryDnsTsig|SecondaryDnsPeer|AccountToken)\/([0-9a-f]{32})\/(.+)$/.exec(key);
  if (!m) return undefined;
  return { kind: m[1] as ResourceKind, account: m[2]!, name: m[3]! };
}

/** Create order: TSIGs before the peers that point at them. Deletes run in the reverse order. */
export const KIND_ORDER: Readonly<Record<ResourceKind, number>> = {
  SecondaryDnsTsig: 0,
  SecondaryDnsPeer: 1,
  AccountToken: 2,
};

export const ACCOUNT_ID_PATTERN = /^[0-9a-f]{32}$/;

export const ANNOTATION_PREVENT_DESTROY = 'cfgitops.dev/prevent-destroy';
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

/**
 * What a user typed for an address (`Kind/account/name`, the account an alias or an id) → the same text with the
 * account as its id, so `state show AccountToken/main/ci` finds what state keys by id. Anything else is returned as
 * it is (a bare name, `Kind/name`).
 */
export function resolveAccountRef(ref: string, aliases: AccountAliases): string {
  const parts = ref.split('/');
  if (parts.length < 3 || !(RESOURCE_KINDS as readonly string[]).includes(parts[0]!)) return ref;
  const account = parts[1]!;
  const id = Object.hasOwn(aliases, account) ? aliases[account] : undefined;
  return id === undefined ? ref : [parts[0], id, ...parts.slice(2)].join('/');
}
