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
