import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { OpenApiContract, sharedContract } from '../../support/openapi.js';

const read = (url: URL): unknown => JSON.parse(readFileSync(url, 'utf8'));
const contractFile = (name: string): URL => new URL(`../../../src/contract/${name}`, import.meta.url);

test('GIVEN the catalog THEN it has 317 groups with unique 32-hex ids', () => {
  const groups = read(contractFile('permission-groups.json')) as { id: string }[];
  expect(groups).toHaveLength(317);
  expect(new Set(groups.map((g) => g.id)).size).toBe(317);
  for (const g of groups) expect(g.id).toMatch(/^[0-9a-f]{32}$/);
});

describe('contract validator', () => {
  const contract: OpenApiContract = sharedContract();
  test.each([
    [
      'secondary-dns-(-peer)-peer-details',
      200,
      { success: true, errors: [], messages: [], result: { name: 'no id' } },
      false,
    ],
    [
      'GET /client/v4/accounts/abc/secondary_dns/peers/def',
      200,
      { success: true, errors: [], messages: [], result: { id: 'x', name: 'y' } },
      true,
    ],
    [
      'GET /accounts/abc/tokens/verify',
      200,
      { success: true, errors: [], messages: [], result: { id: 'x', status: 'active' } },
      true,
    ],
    [
      'GET /accounts/abc/tokens/verify',
      200,
      { success: true, errors: [], messages: [], result: { id: 'x', status: 'gone' } },
      false,
    ],
    [
      'account-api-tokens-token-details',
      200,
      { success: true, errors: [], messages: [], result: { status: 'revoked (exposed)' } },
      true,
    ],
    [
      'secondary-dns-(-tsig)-tsig-details',
      404,
      { success: false, errors: [{ code: 1551, message: 'x' }], messages: [], result: null },
      true,
    ],
    ['secondary-dns-(-tsig)-tsig-details', 404, { success: true, errors: [], messages: [], result: null }, false],
    [
      'account-api-tokens-list-tokens',
      503,
      { success: false, errors: [{ code: 10001, message: 'x' }], messages: [], result: null },
      true,
    ],
    [
      'account-api-tokens-list-tokens',
      429,
      { success: false, errors: [{ code: 971, message: 'x' }], messages: [], result: null },
      true,
    ],
    ['account-api-tokens-roll-token', 200, { success: true, errors: [], messages: [], result: 'short' }, false],
  ])('GIVEN a %s response %i WHEN validated THEN valid=%s', (op, status, body, valid) => {
    expect(contract.validateResponse(op, status, body).length === 0).toBe(valid);
  });

  test.each([
    ['secondary-dns-(-peer)-update-peer', { name: 'p', ip: '192.0.2.1' }, true],
    ['secondary-dns-(-peer)-update-peer', { ip: '192.0.2.1' }, false],
    ['secondary-dns-(-tsig)-create-tsig', { name: 't.', algo: 'hmac-sha256.', secret: 's' }, true],
    ['account-api-tokens-roll-token', undefined, true],
    ['account-api-tokens-create-token', { name: 'x' }, false],
    ['PUT /client/v4/accounts/abc/tokens/def', { name: 'x', policies: [] }, true],
  ])('GIVEN a %s request body %j WHEN validated THEN valid=%s', (op, body, valid) => {
    expect(contract.validateRequest(op, body).length === 0).toBe(valid);
  });
});
