import { describe, expect, test } from 'vitest';
import {
  parsePeer,
  parseRolledValue,
  parseToken,
  parseTokenWithValue,
  parseTsig,
  ResultShapeError,
} from '../../../src/cloudflare/parse-resources.js';
import { Secret } from '../../../src/secret.js';

const policy = {
  id: 'p1',
  effect: 'allow',
  permission_groups: [{ id: 'c8fed203ed3043cba015a93ad1616f1f', name: 'Zone Read' }],
  resources: { 'com.cloudflare.api.account.0123': { 'com.cloudflare.api.account.zone.*': '*' } },
};

describe('parse-resources', () => {
  test.each([{ key: 'request_ip' }, { key: 'request.ip' }])(
    'GIVEN condition.$key WHEN a token is parsed THEN it reads as request_ip',
    ({ key }) => {
      const t = parseToken({
        id: 't1',
        name: 'ci',
        status: 'active',
        policies: [policy],
        condition: { [key]: { in: ['192.0.2.0/24'], not_in: ['192.0.2.1/32'] } },
        expires_on: null,
      });
      expect(t.condition).toEqual({ request_ip: { in: ['192.0.2.0/24'], not_in: ['192.0.2.1/32'] } });
      expect(t.expires_on).toBeUndefined();
      expect(t.policies[0]?.resources).toEqual(policy.resources);
    },
  );

  test('GIVEN a create answer WHEN parsed THEN the value is a Secret that does not print', () => {
    const value = 'cfat_abcdefghijklmnopqrstuvwxyz0123456789ABCD';
    const out = parseTokenWithValue({ id: 't1', name: 'ci', status: 'active', policies: [], value });
    expect(out.value).toBeInstanceOf(Secret);
    expect(out.value.reveal()).toBe(value);
    expect(JSON.stringify(out)).not.toContain(value);
  });

  test('GIVEN a roll answer (a bare string) WHEN parsed THEN a Secret', () => {
    expect(parseRolledValue('x'.repeat(40)).reveal()).toBe('x'.repeat(40));
    expect(() => parseRolledValue({ value: 'x' })).toThrow(ResultShapeError);
  });

  test('GIVEN a TSIG WHEN parsed THEN its secret is wrapped', () => {
    const t = parseTsig({
      id: 'a',
      name: 'tsig.example.com.',
      algo: 'hmac-sha512.',
      secret: 'c2VjcmV0LXNlY3JldC1zZWNyZXQ=',
    });
    expect(t.secret).toBeInstanceOf(Secret);
    expect(JSON.stringify(t)).not.toContain('c2VjcmV0LXNlY3JldC1zZWNyZXQ=');
  });

  test('GIVEN a peer with null/empty optional fields WHEN parsed THEN they are absent', () => {
    expect(parsePeer({ id: 'p', name: 'n', ip: '', port: null, tsig_id: '' })).toEqual({ id: 'p', name: 'n' });
  });

  test.each([
    { what: 'no id', v: { name: 'x', status: 'active', policies: [] } },
    { what: 'unknown status', v: { id: 'a', name: 'x', status: 'weird', policies: [] } },
    { what: 'bad effect', v: { id: 'a', name: 'x', status: 'active', policies: [{ ...policy, effect: 'maybe' }] } },
    { what: 'not an object', v: 'token' },
  ])('GIVEN a token with $what WHEN parsed THEN ResultShapeError', ({ v }) => {
    expect(() => parseToken(v)).toThrow(ResultShapeError);
  });
});
