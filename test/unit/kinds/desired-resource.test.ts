/**
 * desiredResource (src/kinds/desired-resource.ts) writes out as literals what the kinds' `build` used to spread: the
 * same object, keys in the same order (plans, exports and `validate --json` print resources in key order).
 */
import { describe, expect, test } from 'vitest';
import { desiredResource } from '../../../src/kinds/desired-resource.js';
import type { DesiredBaseFields } from '../../../src/kinds/kind.js';

const source = { file: 'desired-state/tokens.yaml', line: 3, col: 1 };
const locate = (pointer: string) => ({ ...source, pointer });
const spec = { name: 'ns1.example.com', ip: '192.0.2.1', port: 53, ixfr_enable: false };

describe('desiredResource', () => {
  for (const alias of [undefined, 'prod']) {
    test(`GIVEN base fields ${alias ? 'with' : 'without'} an account alias THEN it is the spread object, key for key`, () => {
      const base: DesiredBaseFields = {
        address: { account: '0123456789abcdef0123456789abcdef', name: 'ns1' },
        ...(alias !== undefined ? { accountAlias: alias } : {}),
        annotations: { team: 'dns' },
        source,
        locate,
      };
      const kind = 'SecondaryDnsPeer' as const;
      const spread = { ...base, kind, address: { ...base.address, kind }, spec };
      const built = desiredResource(base, kind, spec);
      expect(JSON.stringify(built)).toBe(JSON.stringify(spread));
      expect(Object.keys(built)).toEqual(Object.keys(spread));
      expect(Object.keys(built.address)).toEqual(['account', 'name', 'kind']);
      expect(built.locate('/spec/ip')).toEqual(locate('/spec/ip'));
      expect(built.spec).toBe(spec);
    });
  }
});
