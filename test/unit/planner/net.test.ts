import { describe, expect, test } from 'vitest';
import { normalizeCidr, normalizeCidrSet, normalizeIp } from '../../../src/planner/net.js';

describe('net', () => {
  test.each([
    ['192.0.2.1', '192.0.2.1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::', '::'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['fe80:0:0:0:1:2:3:4', 'fe80::1:2:3:4'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
  ])('GIVEN ip %s WHEN normalised THEN %s', (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
  });

  test.each(['256.0.0.1', '1.2.3', '1::2::3', 'g::1', '1:2:3:4:5:6:7:8:9', 'example.com'])(
    'GIVEN %s WHEN normalised as ip THEN undefined',
    (input) => {
      expect(normalizeIp(input)).toBeUndefined();
    },
  );

  test.each([
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['192.0.2.1', '192.0.2.1/32'],
    ['2001:DB8:0:0::/32', '2001:db8::/32'],
    ['2001:db8::1', '2001:db8::1/128'],
    ['10.0.0.0/33', '10.0.0.0/33'],
    [' Bogus ', 'bogus'],
  ])('GIVEN cidr %s WHEN normalised THEN %s', (input, expected) => {
    expect(normalizeCidr(input)).toBe(expected);
  });

  test('GIVEN lists in any order with duplicates WHEN normalised as a set THEN equal; absent is empty', () => {
    expect(normalizeCidrSet(['10.0.0.1/8', '192.0.2.0/24', '10.0.0.0/8'])).toEqual(
      normalizeCidrSet(['192.0.2.0/24', '10.0.0.0/8']),
    );
    expect(normalizeCidrSet(undefined)).toEqual([]);
  });
});
