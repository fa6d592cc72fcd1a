import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { formatInstant, parseInstant, sameInstant } from '../../../src/planner/instant.js';

describe('instant', () => {
  test.each([
    ['2030-01-01T00:00:00Z', '2030-01-01T00:00:00.000Z'],
    ['2030-01-01T00:00:00Z', '2030-01-01T01:00:00+01:00'],
    ['2030-01-01T00:00:00Z', '2029-12-31T19:30:00-0430'],
    ['2030-01-01T00:00:00Z', '2030-01-01t00:00:00z'],
    ['2030-01-01T00:00:00Z', '2030-01-01 00:00:00Z'],
  ])('GIVEN %s and %s WHEN compared THEN they are the same instant', (a, b) => {
    expect(sameInstant(a, b)).toBe(true);
  });

  test.each([
    ['2030-01-01T00:00:00Z', '2030-01-01T00:00:01Z'],
    ['2030-01-01T00:00:00Z', undefined],
    ['not a date', 'not a date either'],
  ])('GIVEN %s and %s WHEN compared THEN they differ', (a, b) => {
    expect(sameInstant(a, b)).toBe(false);
  });

  test.each(['2030-02-30T00:00:00Z', '2030-13-01T00:00:00Z', '2030-01-01T24:00:00Z', '2030-01-01', 'x'])(
    'GIVEN invalid %s WHEN parsed THEN undefined',
    (text) => {
      expect(parseInstant(text)).toBeUndefined();
    },
  );

  test('GIVEN any instant WHEN formatted and parsed THEN it agrees with Date', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }), (ms) => {
        const iso = formatInstant(ms);
        expect(iso).toBe(new Date(ms).toISOString());
        expect(parseInstant(iso)).toBe(ms);
      }),
      { numRuns: 2000 },
    );
  });
});
