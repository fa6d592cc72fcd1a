/**
 * PermissionCatalog.resolve remembers each distinct selector's resolution (a plan resolves the same few selectors for
 * every token): a remembered answer must be the one for that exact selector — name and scope, or id.
 */
import { describe, expect, test } from 'vitest';
import type { PermissionGroupSelector } from '../../../src/manifest/types.js';
import { PermissionCatalog } from '../../../src/planner/permission-catalog.js';
import { CATALOG, PG } from './builders.js';

const ZONE = 'com.cloudflare.api.account.zone' as const;
const ACCOUNT = 'com.cloudflare.api.account' as const;

describe('PermissionCatalog.resolve, asked again', () => {
  test('GIVEN "Logs Read" at two scopes WHEN asked with no scope, each scope and by id, in any order THEN each gets its own answer', () => {
    const selectors: PermissionGroupSelector[] = [
      { name: 'Logs Read' },
      { name: 'Logs Read', scope: ZONE },
      { name: 'Logs Read', scope: ACCOUNT },
      { id: '96163bd1b0784f62b3e44ed8c2ab1eb6' },
      { id: 'Logs Read' },
      { name: 'DNS Write' },
    ];
    const fresh = (s: PermissionGroupSelector) => new PermissionCatalog(CATALOG).resolve(s);
    const shared = new PermissionCatalog(CATALOG);
    for (const order of [selectors, [...selectors].reverse()]) {
      for (const s of [...order, ...order]) expect(shared.resolve(s), JSON.stringify(s)).toEqual(fresh(s));
    }
    expect(shared.resolve({ name: 'Logs Read' }).ok).toBe(false);
    expect(shared.resolve({ name: 'Logs Read', scope: ZONE })).toEqual({
      ok: true,
      id: '96163bd1b0784f62b3e44ed8c2ab1eb6',
      name: 'Logs Read',
    });
    expect(shared.resolve({ id: 'Logs Read' }).ok).toBe(false);
    expect(shared.resolve({ name: 'DNS Write' })).toMatchObject({ ok: true, id: PG.dnsWrite });
  });
});
