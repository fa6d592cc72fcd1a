import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import type { Clock } from '../../../src/effects.js';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';

/** A clock the test moves by hand: the rate limiter never sees real time. */
const manual = { t: Date.parse('2030-01-01T00:00:00Z') };
const clock: Clock = { now: () => manual.t, sleep: () => Promise.resolve() };

let emu: TestEmulator;
let peers: string;

beforeAll(async () => {
  emu = await startTestEmulator({ clock, rateLimit: { quota: 3, windowSeconds: 60, blockSeconds: 120 } });
  peers = `/accounts/${emu.account}/secondary_dns/peers`;
});
afterEach(() => {
  emu.assertNoContractViolations();
});
afterAll(async () => {
  await emu.close();
});

test('GIVEN a quota of 3 per 60 s WHEN a 4th call comes THEN 429 971 blocks the credential for 120 s, then it recovers', async () => {
  const remaining: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await emu.api('GET', peers);
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-policy')).toBe('"burst";q=3;w=60');
    remaining.push(res.headers.get('ratelimit')!);
  }
  expect(remaining).toEqual(['"default";r=2;t=60', '"default";r=1;t=60', '"default";r=0;t=60']);

  const over = await emu.api('GET', peers);
  expect([over.status, over.body.errors[0].code]).toEqual([429, 971]);
  expect(over.headers.get('retry-after')).toBe('120');

  manual.t += 61_000; // the window has rolled, but the block has not ended: still blocked
  const stillBlocked = await emu.api('GET', peers);
  expect(stillBlocked.status).toBe(429);
  expect(stillBlocked.headers.get('retry-after')).toBe('59');

  // Another credential is not affected by this one's block.
  const other = await emu.api('GET', peers, undefined, { authorization: null });
  expect(other.status).toBe(400);

  manual.t += 59_000;
  const recovered = await emu.api('GET', peers);
  expect(recovered.status).toBe(200);
  expect(recovered.headers.get('ratelimit')).toBe('"default";r=2;t=60');
});

test('GIVEN rate limiting switched off through the control API WHEN many calls come THEN none is limited', async () => {
  const set = await emu.control('PUT', '/rate-limit', { enabled: false });
  expect(set.body).toMatchObject({ enabled: false, quota: 3 });
  for (let i = 0; i < 10; i++) expect((await emu.api('GET', peers)).status).toBe(200);
  await emu.control('PUT', '/rate-limit', { enabled: true, quota: 1, windowSeconds: 10, blockSeconds: 10 });
  expect((await emu.api('GET', peers)).status).toBe(200);
  expect((await emu.api('GET', peers)).status).toBe(429);
});
