import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ipFamily, normalizeCidr, normalizeCidrSet, normalizeIp } from '../../../src/planner/net.js';

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

  describe('ipFamily (the manifest formats ip and cidr)', () => {
    test.each([
      ['192.0.2.1', 4],
      ['0.0.0.0', 4],
      ['::', 6],
      ['::ffff:192.0.2.1', 6],
      ['2001:DB8::1', 6],
      ['010.0.0.1', 0],
      ['1.2.3.04', 0],
      ['fe80::1%eth0', 0],
      ['', 0],
      [' 192.0.2.1', 0],
    ] as const)('GIVEN %j THEN %d', (text, family) => {
      expect(ipFamily(text)).toBe(family);
    });

    // Differential: node:net's isIP decides, except for zone ids (refused here on purpose). Valid addresses
    // (fast-check's, upper-cased too), near-misses (one character dropped, doubled or swapped for another) and noise.
    const valid = fc.oneof(
      fc.ipV4(),
      fc.ipV4Extended(),
      fc.ipV6(),
      fc.ipV6().map((a) => a.toUpperCase()),
    );
    const nearMiss = fc
      .tuple(valid, fc.nat(), fc.constantFrom('', ':', '::', '.', '0', '00', 'f', 'g', '256', ' '), fc.boolean())
      .map(([text, at, insert, replace]) => {
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(replace ? i + 1 : i);
      });
    const noise = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF.:/ %x'.split('')), maxLength: 45 });

    test('GIVEN addresses, near-misses and noise WHEN classified THEN the family node:net gives', () => {
      fc.assert(
        fc.property(fc.oneof(valid, nearMiss, noise), (text) => {
          fc.pre(!text.includes('%'));
          expect(ipFamily(text)).toBe(isIP(text));
        }),
        { numRuns: 5000 },
      );
    });
  });
});
