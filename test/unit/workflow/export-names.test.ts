/**
 * The names export gives: valid manifest names, unique, and independent of the order Cloudflare lists things in.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { credentialEnvReason } from '../../../src/credential-env.js';
import { METADATA_NAME_PATTERN } from '../../../src/manifest/schemas/common-schemas.js';
import { allocateNames, slugName, tsigEnvName } from '../../../src/workflow/export-names.js';
import { permissionGroupNamer } from '../../../src/workflow/export-permission-groups.js';

const NAME = new RegExp(METADATA_NAME_PATTERN);

describe('slugName', () => {
  test.each([
    ['cfgitops CI DNS edit', 'cfgitops-ci-dns-edit'],
    ['tsig.ns1.example.com.', 'tsig.ns1.example.com'],
    ['  Ünïcode — token  ', 'unicode-token'],
    ['a..b--c__d', 'a.b-c-d'],
    ['///', ''],
    ['x'.repeat(100), 'x'.repeat(63)],
  ])('GIVEN %j THEN %j', (cfName, slug) => {
    expect(slugName(cfName)).toBe(slug);
  });
});

describe('allocateNames', () => {
  test('GIVEN names that slug alike and one taken THEN the first in (name, id) order keeps the slug, others get their id', () => {
    const names = allocateNames(
      [
        { id: 'bbbbbbbb00000000', cfName: 'ci-deploy' },
        { id: 'aaaaaaaa00000000', cfName: 'CI deploy' },
        { id: 'cccccccc00000000', cfName: 'logs' },
      ],
      new Set(['logs']),
      'token',
    );
    expect(Object.fromEntries(names)).toEqual({
      aaaaaaaa00000000: 'ci-deploy',
      bbbbbbbb00000000: 'ci-deploy-bbbbbbbb',
      cccccccc00000000: 'logs-cccccccc',
    });
  });

  test('PROPERTY: valid, unique, not taken, and the same whatever the input order', () => {
    const candidate = fc.record({
      id: fc.stringMatching(/^[0-9a-f]{32}$/),
      cfName: fc.string({ unit: fc.constantFrom('a', 'B', '-', '.', ' ', '/', 'é'), maxLength: 70 }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(candidate, { selector: (c) => c.id, maxLength: 12 }),
        fc.uniqueArray(fc.constantFrom('a', 'b', 'token', 'a-b'), { maxLength: 3 }),
        (candidates, taken) => {
          const names = allocateNames(candidates, new Set(taken), 'token');
          const reversed = allocateNames([...candidates].reverse(), new Set(taken), 'token');
          const given = [...names.values()];
          expect(given.every((n) => NAME.test(n))).toBe(true);
          expect(new Set(given).size).toBe(given.length);
          expect(given.filter((n) => (taken as string[]).includes(n))).toEqual([]);
          expect(Object.fromEntries(reversed)).toEqual(Object.fromEntries(names));
        },
      ),
      { numRuns: 300 },
    );
  });
});

test('tsigEnvName: a valid variable name, unique against those taken', () => {
  const taken = new Set<string>();
  expect(tsigEnvName('main', 'ns1.example.com', taken)).toBe('TSIG_MAIN_NS1_EXAMPLE_COM_SECRET');
  expect(tsigEnvName('main', 'ns1-example-com', taken)).toBe('TSIG_MAIN_NS1_EXAMPLE_COM_2_SECRET');
  // Never a name the loader refuses as a credential variable (…_TOKEN, PG…, CFGITOPS_…), whatever the TSIG is called.
  fc.assert(
    fc.property(fc.constantFrom('main', 'pg', 'cfgitops'), fc.stringMatching(/^[a-z0-9.-]{1,20}$/), (ref, name) => {
      const env = tsigEnvName(ref, name, new Set());
      expect(env).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      expect(credentialEnvReason(env)).toBeUndefined();
    }),
  );
  expect(credentialEnvReason(tsigEnvName('main', 'ci-token', new Set()))).toBeUndefined();
});

describe('permissionGroupNamer', () => {
  const namer = permissionGroupNamer([
    { id: 'a1', name: 'DNS Read', scopes: ['com.cloudflare.api.account.zone'] },
    { id: 'b1', name: 'Logs Read', scopes: ['com.cloudflare.api.account'] },
    { id: 'b2', name: 'Logs Read', scopes: ['com.cloudflare.api.account.zone'] },
    { id: 'c1', name: 'Twin', scopes: ['com.cloudflare.api.account'] },
    { id: 'c2', name: 'Twin', scopes: ['com.cloudflare.api.account'] },
  ]);
  test.each([
    ['a1', { name: 'DNS Read' }],
    ['b1', { name: 'Logs Read', scope: 'account' }],
    ['b2', { name: 'Logs Read', scope: 'zone' }],
    ['c1', { id: 'c1' }],
    ['zz', { id: 'zz' }],
  ])('GIVEN %s THEN %j (scope only where the name is ambiguous; id where name and scope cannot tell)', (id, ref) => {
    expect(namer(id)).toEqual(ref);
  });
});
