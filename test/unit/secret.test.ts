import { inspect } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, test } from 'vitest';
import { Secret, SecretScrubber, secretScrubber } from '../../src/secret.js';

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

describe('SecretScrubber over a long life (the controller)', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  /** Lets the holders made before it go (WeakRefs keep their target until the job that made them ends), then GCs. */
  const collect = async (): Promise<void> => {
    await new Promise((r) => setImmediate(r));
    gc();
  };

  test('GIVEN values minted cycle after cycle and let go WHEN collected THEN the scrubber stays bounded, keeps every held value and the most recent released ones', async () => {
    const scrubber = new SecretScrubber({ keepReleased: 8 });
    const held = Array.from({ length: 20 }, (_, i) => ({ value: `held-value-${i}-0123456789` }));
    for (const h of held) scrubber.add(h.value, h);
    const mint = (cycle: number): void => {
      for (let i = 0; i < 3; i++) scrubber.add(`minted-${cycle}-${i}-0123456789`, {});
    };
    let largest = 0;
    for (let cycle = 0; cycle < 100; cycle++) {
      mint(cycle);
      largest = Math.max(largest, scrubber.size);
      await collect();
    }
    // Without the bound it held 20 + 300 values. With it: live (20 held, 3 of the cycle) + keepReleased + 16.
    expect(largest).toBeLessThanOrEqual(20 + 3 + 8 + 16);
    for (const h of held) expect(scrubber.scrub(h.value)).toBe('[redacted]');
    expect(scrubber.scrub('minted-99-2-0123456789')).toBe('[redacted]');
    expect(scrubber.scrub('minted-0-0-0123456789')).toBe('minted-0-0-0123456789');
  });

  test('GIVEN one value held by a thousand holders, all but a few let go WHEN collected THEN it stays registered while one lives, and goes after', async () => {
    const scrubber = new SecretScrubber({ keepReleased: 0 });
    const value = 'one-file-read-by-many-0123456789';
    const kept: object[] = [];
    // In a function of its own: a suspended async function's frame could keep the last holder alive.
    const addHolders = (from: number): void => {
      for (let i = from; i < from + 100; i++) {
        const holder = {};
        scrubber.add(value, holder);
        if (i % 400 === 0) kept.push(holder); // 0, 400, 800: early, middle and late holders
      }
    };
    for (let from = 0; from < 1000; from += 100) {
      addHolders(from);
      await collect(); // dead holders are dropped as the list grows, live ones must not be
    }
    // Another value's adds make the scrubber prune released values, which a live holder must prevent.
    let churned = 0;
    const churn = async (): Promise<void> => {
      await collect();
      for (let i = 0; i < 40; i++) scrubber.add(`churn-${churned++}-0123456789`, {});
    };
    await churn();
    expect(scrubber.scrub(value)).toBe('[redacted]');
    kept.splice(0, 2);
    await churn();
    expect(scrubber.scrub(value)).toBe('[redacted]');
    kept.length = 0;
    await churn();
    await churn();
    expect(scrubber.scrub(value)).toBe(value);
  });

  test('GIVEN Secrets made and dropped by the thousand THEN the process-wide scrubber does not keep them all', async () => {
    const before = secretScrubber.size;
    const kept = new Secret('a-value-still-in-use-0123456789');
    for (let cycle = 0; cycle < 30; cycle++) {
      for (let i = 0; i < 100; i++) new Secret(`dropped-${cycle}-${i}-0123456789`);
      await collect();
    }
    expect(secretScrubber.size).toBeLessThanOrEqual(before + 1 + 100 + 1024 + 256);
    expect(secretScrubber.scrub(`x ${kept.reveal()} y`)).toBe('x [redacted] y');
  });
});

describe('SecretScrubber — token values by shape', () => {
  // cfat_ + 40 alphanumerics + an 8-hex checksum, as the emulator (and Cloudflare) mint them; never registered here.
  const shaped = `cfat_${'A1b2C3d4E5'.repeat(4)}0a1b2c3d`;

  test('GIVEN an unregistered cfat_ value in a line WHEN scrubbed THEN it is redacted, the text around it kept', () => {
    const out = new SecretScrubber().scrub(`vault said: stored ${shaped}; done`);
    expect(out).toBe('vault said: stored [redacted]; done');
  });

  test('GIVEN text that only mentions the prefix or a shorter cfat_ word WHEN scrubbed THEN it is left alone', () => {
    const text = 'tokens look like cfat_… (cfat_short, cfat_ + 40 characters)';
    expect(new SecretScrubber().scrub(text)).toBe(text);
  });

  test('GIVEN two values in one text WHEN scrubbed THEN both go (the pattern is global)', () => {
    expect(new SecretScrubber().scrub(`${shaped} and ${shaped.replace('A1', 'Z9')}`)).toBe('[redacted] and [redacted]');
  });
});
