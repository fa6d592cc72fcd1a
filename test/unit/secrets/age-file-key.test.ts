import { describe, expect, test } from 'vitest';
import { ageFileKey } from '../../../src/secrets/age-layout.js';
import { checkAgeRecipients } from '../../../src/secrets/age-crypto.js';

describe('ageFileKey', () => {
  test.each([
    ['ci-deploy', 'ci-deploy'],
    ['../../etc/passwd', '___.._etc_passwd'],
    ['.hidden', '_hidden'],
    ['a b', 'a_b'],
  ])('GIVEN key %s THEN the file name stem is %s (never leaves the directory)', (key, stem) => {
    expect(ageFileKey(key)).toBe(stem);
  });
});

describe('checkAgeRecipients', () => {
  test('GIVEN a valid X25519 recipient THEN no problem', () => {
    expect(checkAgeRecipients(['age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p'])).toEqual([]);
  });

  test.each([
    [['age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8q'], 0],
    [['age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p', 'ssh-ed25519 AAAA'], 1],
    [['nope'], 0],
    [[], -1],
  ])('GIVEN %j THEN the problem is at index %i', (recipients, index) => {
    expect(checkAgeRecipients(recipients).map((p) => p.index)).toEqual([index]);
  });
});
