/**
 * Checks across documents and files: one declaration per address, one Cloudflare name per (kind, account) — names
 * are how a crashed run finds what it created — and every reference a kind declares (a peer's `tsig`) names a
 * resource of the target kind in the same account. Pure.
 *
 * They run on every document whose identity is known, also those with schema errors elsewhere (a duplicate name
 * must not wait for an unrelated typo to be fixed): such documents come in as a `CrossCheckEntry` whose spec
 * fields are whatever the YAML held, and a field that is not a string takes part in no check.
 */
import { CfgitopsError, formatLocation, type SourceLocation } from '../errors.js';
import { kindOf } from '../kinds/registry.js';
import { addressKey, type ResourceAddress } from '../resources.js';
import { didYouMeanHint } from './did-you-mean.js';

const HEX32 = /^[0-9a-f]{32}$/;

/** What the checks read; every DesiredResource is one. */
export interface CrossCheckEntry {
  kind: ResourceAddress['kind'];
  address: ResourceAddress;
  accountAlias?: string;
  spec: { readonly name?: unknown; readonly [field: string]: unknown };
  source: SourceLocation;
  locate(pointer: string): SourceLocation;
}

export function crossCheck(resources: readonly CrossCheckEntry[]): CfgitopsError[] {
  const errors: CfgitopsError[] = [];
  const byAddress = new Map<string, CrossCheckEntry>();
  const byCfName = new Map<string, CrossCheckEntry>();
  for (const r of resources) {
    const key = addressKey(r.address);
    const first = byAddress.get(key);
    if (first) {
      errors.push(
        new CfgitopsError(
          'E_DUPLICATE_RESOURCE',
          `${r.kind} ${r.address.name} in account ${r.accountAlias ?? r.address.account} is also declared at ` +
            formatLocation(first.source),
          { location: r.locate('/metadata/name'), hint: 'give each resource its own metadata.name, or delete one' },
        ),
      );
      continue;
    }
    byAddress.set(key, r);
    if (typeof r.spec.name !== 'string') continue;
    const cfKey = `${r.kind}/${r.address.account}/${r.spec.name}`;
    const sameName = byCfName.get(cfKey);
    if (sameName) {
      errors.push(
        new CfgitopsError(
          'E_DUPLICATE_CF_NAME',
          `spec.name ${JSON.stringify(r.spec.name)} is also used by ${sameName.address.name} at ` +
            formatLocation(sameName.locate('/spec/name')),
          {
            location: r.locate('/spec/name'),
            hint: 'Cloudflare names must be unique per kind and account: cfgitops finds resources by them after a crash',
          },
        ),
      );
    } else {
      byCfName.set(cfKey, r);
    }
  }
  for (const r of resources) {
    for (const ref of kindOf(r.kind).references) {
      const value = r.spec[ref.field];
      // A list field's entries are checked one by one, each at its own index.
      const entries = Array.isArray(value) ? value.map((v, i) => [v, `/${i}`] as const) : [[value, ''] as const];
      for (const [name, suffix] of entries) {
        if (typeof name !== 'string' || (ref.ids === true && HEX32.test(name))) continue;
        const target = { kind: ref.target, account: r.address.account, name };
        if (byAddress.has(addressKey(target))) continue;
        const candidates = resources
          .filter((t) => t.kind === ref.target && t.address.account === r.address.account)
          .map((t) => t.address.name);
        errors.push(
          new CfgitopsError('E_UNRESOLVED_REFERENCE', `no ${ref.target} named ${name} in this account`, {
            location: r.locate(`/spec/${ref.field}${suffix}`),
            hint: didYouMeanHint(name, candidates) ?? ref.hint,
          }),
        );
      }
    }
  }
  return errors;
}
