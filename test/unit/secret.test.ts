import { inspect } from 'node:util';
import { describe, expect, test } from 'vitest';
import { Secret, SecretScrubber } from '../../src/secret.js';

describe('Secret', () => {
  const value = 'cfat_abcdefghijklmnopqrstuvwxyz0123456789ABCD';

  test.each([
    ['String()', (s: Secret) => String(s)],
    ['toString', (s: Secret) => s.toString()],
    ['JSON.stringify', (s: Secret) => JSON.stringify({ s })],
    ['util.inspect', (s: Secret) => inspect({ nested: { s } })],
    ['concatenation', (s: Secret) => 'x' + (s as unknown as string)],
  ])('GIVEN a secret WHEN printed via %s THEN the value never appears', (_name, print) => {
    const s = new Secret(value);
    expect(print(s)).not.toContain(value);
    expect(s.reveal()).toBe(value);
  });

  test('equals compares values without revealing them', () => {
    expect(new Secret(value).equals(new Secret(value))).toBe(true);
    expect(new Secret(value).equals(new Secret(value + 'x'))).toBe(false);
    expect(new Secret(value).equals(undefined)).toBe(false);
  });
});

describe('SecretScrubber', () => {
  test('GIVEN registered values WHEN scrubbing THEN plain, base64 and URL-encoded forms are removed', () => {
    const scrubber = new SecretScrubber();
    const v = 'p@ss/word+with=chars';
    scrubber.add(v);
    const text = `a ${v} b ${Buffer.from(v).toString('base64')} c ${encodeURIComponent(v)}`;
    const out = scrubber.scrub(text);
    expect(out).not.toContain(v);
    expect(out).not.toContain(Buffer.from(v).toString('base64'));
    expect(out).not.toContain(encodeURIComponent(v));
    expect(out).toBe('a [redacted] b [redacted] c [redacted]');
  });

  test('short values are not registered (they would mangle ordinary text)', () => {
    const scrubber = new SecretScrubber();
    scrubber.add('abc');
    expect(scrubber.scrub('abc')).toBe('abc');
  });
});
