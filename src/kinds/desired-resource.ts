/**
 * A desired resource from the loader's base fields, its kind and its built spec — what each kind's `build` returns.
 */
import type { DesiredBaseFields, DesiredOf } from './kind.js';
import type { ResourceKind } from './registry.js';

/**
 * The object `{ ...base, kind, address: { ...base.address, kind }, spec }` would be (same keys, same order), written
 * as literals: in V8 (Node 20) an object spread followed by a key its source lacks gives every object a hidden
 * class of its own — three per resource, tens of thousands of maps over a 10,000-resource load (docs/benchmarks.md
 * P3). For the same reason a spec that adds keys to the document's is built with Object.assign, not a spread.
 */
export function desiredResource<K extends ResourceKind>(
  base: DesiredBaseFields,
  kind: K,
  spec: DesiredOf<K>['spec'],
): DesiredOf<K> {
  const address = { account: base.address.account, name: base.address.name, kind };
  // `locate` is a closure (build-resource.ts), not a method using `this`: copied as the spread copied it.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const { annotations, source, locate } = base;
  const built =
    base.accountAlias !== undefined
      ? { address, accountAlias: base.accountAlias, annotations, source, locate, kind, spec }
      : { address, annotations, source, locate, kind, spec };
  return built as unknown as DesiredOf<K>;
}
