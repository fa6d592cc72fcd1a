import { describe, expect, test } from 'vitest';
import { advisoryLockKeys } from '../../../src/state/advisory-lock-key.js';
import { connectionPassword, redactConnectionString, resolvePostgresUrl } from '../../../src/state/postgres-url.js';
import { randomId } from '../../../src/state/random-id.js';

describe('redactConnectionString', () => {
  test.each([
    ['postgres://app:s3cr%40t-pw@db.internal:5432/cfg', 's3cr', 'postgres://app:***@db.internal:5432/cfg'],
    ['postgresql://app:hunter2-long@db/cfg?sslmode=require&sslpassword=kp-pass', 'hunter2', undefined],
    ['host=db user=app password=plain-pw-9 dbname=cfg', 'plain-pw-9', 'host=db user=app password=*** dbname=cfg'],
    ["host=db password='quoted pw 9' dbname=cfg", 'quoted pw 9', 'host=db password=*** dbname=cfg'],
    ['postgres://app@db/cfg', undefined, 'postgres://app@db/cfg'],
  ])('GIVEN %s THEN the password never appears', (url, secret, expected) => {
    const redacted = redactConnectionString(url);
    if (secret !== undefined) expect(redacted).not.toContain(secret);
    if (expected !== undefined) expect(redacted).toBe(expected);
    expect(redacted).not.toContain('kp-pass');
  });

  test.each([
    ['postgres://app:s3cr%40t@db/cfg', 's3cr@t'],
    ['host=db password=plain', 'plain'],
    ["host=db password='with space'", 'with space'],
    ['postgres://app@db/cfg', undefined],
  ])('GIVEN %s THEN connectionPassword is %s', (url, password) => {
    expect(connectionPassword(url)).toBe(password);
  });
});

describe('resolvePostgresUrl', () => {
  test.each([
    ['config wins', 'postgres://c', { CFGITOPS_PG_URL: 'postgres://e', DATABASE_URL: 'postgres://d' }, 'postgres://c'],
    [
      'then CFGITOPS_PG_URL',
      undefined,
      { CFGITOPS_PG_URL: 'postgres://e', DATABASE_URL: 'postgres://d' },
      'postgres://e',
    ],
    ['then DATABASE_URL', undefined, { DATABASE_URL: 'postgres://d' }, 'postgres://d'],
  ])('GIVEN %s THEN that URL', (_name, configured, env, expected) => {
    expect(resolvePostgresUrl(configured, env)).toBe(expected);
  });

  test('GIVEN nothing THEN E_CONFIG', () => {
    expect(() => resolvePostgresUrl(undefined, {})).toThrow(expect.objectContaining({ code: 'E_CONFIG' }) as Error);
  });
});

describe('advisoryLockKeys', () => {
  test('GIVEN workspaces and scopes THEN keys are stable non-negative int4s, distinct per workspace and scope', () => {
    const [w1, s1] = advisoryLockKeys('prod', '*');
    const [w2, s2] = advisoryLockKeys('staging', '0123456789abcdef0123456789abcdef');
    for (const k of [w1, s1, w2, s2]) {
      expect(Number.isInteger(k) && k >= 0 && k <= 0x7fffffff).toBe(true);
    }
    expect(w1).not.toBe(w2);
    expect(s1).not.toBe(s2);
    expect(advisoryLockKeys('prod', '*')).toEqual([w1, s1]);
  });
});

describe('randomId', () => {
  test('GIVEN random() THEN a hex id of twice the byte count', () => {
    expect(randomId(() => 0.999, 4)).toBe('ffffffff');
    expect(randomId(() => 0, 2)).toBe('0000');
    expect(randomId(Math.random)).toMatch(/^[0-9a-f]{32}$/);
  });
});
