import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { dotenvKey, parseDotenv, quoteDotenvValue, setDotenvValue } from '../../../src/secrets/dotenv.js';

describe('dotenv', () => {
  test.each([
    ['ci-deploy', 'CI_DEPLOY'],
    ['Already_OK_1', 'ALREADY_OK_1'],
    ['1st', '_1ST'],
    ['a b/c.d', 'A_B_C_D'],
  ])('GIVEN key %s WHEN sanitized THEN %s', (key, expected) => {
    expect(dotenvKey(key)).toBe(expected);
  });

  test.each([
    ['abc', "'abc'"],
    ["it's", `"it's"`],
    ['a\nb', '"a\\nb"'],
    ['$x `y` "z" \\', `'$x \`y\` "z" \\'`],
  ])('GIVEN value %j WHEN quoted THEN %s', (value, expected) => {
    expect(quoteDotenvValue(value)).toBe(expected);
  });

  test('GIVEN any value and surrounding lines WHEN set then parsed THEN the value round-trips and other lines are kept', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (value, other) => {
        const before = `# comment\nOTHER='${other.replace(/['\n\r]/g, '')}'\n`;
        const text = setDotenvValue(before, 'TOK', value);
        expect(parseDotenv(text).get('TOK')).toBe(value);
        expect(text.startsWith(before)).toBe(true);
        expect(setDotenvValue(text, 'TOK', value)).toBe(text);
      }),
    );
  });

  test('GIVEN duplicate lines for a key WHEN set THEN one line remains, in the first position', () => {
    expect(setDotenvValue('TOK=1\nA=2\nexport TOK=3\n', 'TOK', 'v')).toBe("TOK='v'\nA=2\n");
  });

  test('GIVEN bare and commented values WHEN parsed THEN comments are dropped', () => {
    expect([...parseDotenv('A=plain # note\nexport B="x\\"y"\n#C=1\n')]).toEqual([
      ['A', 'plain'],
      ['B', 'x"y'],
    ]);
  });
});
