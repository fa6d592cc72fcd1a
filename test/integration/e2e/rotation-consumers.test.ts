/**
 * Issue 14's proof of "no downtime": consumers run beside a rotation. One re-reads the sink every 200 ms and calls
 * the emulator's /verify with what it holds (a service that picks up a new secret); the other keeps the value it
 * read at start (a deployment that read its secret at boot, a CI job mid-way) and calls /verify every 200 ms too.
 *
 * overlap: zero failed calls for both, across the rotation and until the grace ends (the emulator's clock is then
 * advanced past it); after that the old value fails with Cloudflare's error, and the re-reader still never fails.
 * roll: the old-value consumer fails at once — the documented behaviour of a roll, asserted.
 * The counts are printed as `[evidence] rotation consumers …` lines (docs/rotation.md quotes them).
 */
import { describe, expect, test } from 'vitest';
import { useE2eWorld } from '../../support/e2e-world.js';
import { EXAMPLE_ACCOUNT } from '../../support/workspace.js';

const KEY = 'zone-readonly';
const PERIOD_MS = 200;

const world = useE2eWorld({
  setup: async () => {
    const r = await world.cli('apply', '--auto-approve');
    expect(r.code, r.stderr).toBe(0);
  },
});

interface Tally {
  ok: number;
  failed: number;
  /** The first failed call's HTTP status and Cloudflare error code. */
  firstFailure?: { status: number; code?: number; at: number };
}

/** One /verify call: when it was sent and answered (ms since epoch), and whether it passed. */
interface Call {
  sent: number;
  answered: number;
  ok: boolean;
}

async function verify(value: string): Promise<{ status: number; code?: number }> {
  const res = await world.emulator.api('GET', `/accounts/${EXAMPLE_ACCOUNT}/tokens/verify`, undefined, {
    authorization: `Bearer ${value}`,
  });
  const code = (res.body as { errors?: { code: number }[] }).errors?.[0]?.code;
  return { status: res.status, ...(code !== undefined ? { code } : {}) };
}

/** A consumer calling /verify every 200 ms with `current()`; `tally()` snapshots its counts. */
function consumer(current: () => Promise<string>): {
  tally: () => Tally;
  calls: () => Call[];
  stop: () => Promise<void>;
} {
  const t: Tally = { ok: 0, failed: 0 };
  const log: Call[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      const value = await current();
      const sent = Date.now();
      const r = await verify(value);
      log.push({ sent, answered: Date.now(), ok: r.status === 200 });
      if (r.status === 200) t.ok++;
      else {
        t.failed++;
        t.firstFailure ??= { ...r, at: Date.now() };
      }
      await new Promise((res) => setTimeout(res, Math.max(0, PERIOD_MS - (Date.now() - started))));
    }
  })();
  return {
    tally: () => ({ ...t }),
    calls: () => [...log],
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

const sinkValue = async (): Promise<string> => (await world.ws.sinkValues())[KEY]!;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const line = (what: string, t: Tally): string => `${what} ${t.ok} ok / ${t.failed} failed`;

describe('GIVEN two consumers of a token value beside its rotation', () => {
  test('WHEN it rotates by overlap THEN neither fails until the grace ends; THEN only the old value fails', async () => {
    const held = await sinkValue();
    const reReader = consumer(sinkValue);
    const holder = consumer(() => Promise.resolve(held));
    await pause(1000);
    const r = await world.cli('rotate', KEY, '--strategy', 'overlap');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await sinkValue()).not.toBe(held);
    await pause(1200); // the re-reader has switched to the new value by now; the holder still calls with the old
    const beforeGrace = { reReader: reReader.tally(), holder: holder.tally() };

    // The grace (24 h, the default) passes on the emulator's clock: Cloudflare itself ends the predecessor.
    const advanceSent = Date.now();
    await world.emulator.control('POST', '/clock/advance', { seconds: 24 * 3600 + 1 });
    const advanceAnswered = Date.now();
    await pause(1000);
    await Promise.all([reReader.stop(), holder.stop()]);
    const end = { reReader: reReader.tally(), holder: holder.tally() };
    process.stderr.write(
      `[evidence] rotation consumers, overlap: until the grace ends ${line('re-reader', beforeGrace.reReader)}, ` +
        `${line('old-value holder', beforeGrace.holder)}; after it ${line('re-reader', { ok: end.reReader.ok - beforeGrace.reReader.ok, failed: end.reReader.failed - beforeGrace.reReader.failed })}, ` +
        `${line('old-value holder', { ok: end.holder.ok - beforeGrace.holder.ok, failed: end.holder.failed - beforeGrace.holder.failed })}\n`,
    );
    expect(beforeGrace.reReader.failed).toBe(0);
    expect(beforeGrace.holder.failed).toBe(0);
    expect(beforeGrace.reReader.ok).toBeGreaterThanOrEqual(8);
    expect(beforeGrace.holder.ok).toBeGreaterThanOrEqual(8);
    // After the grace: the old value is dead with the real error, the re-reader is untouched.
    expect(end.reReader.failed).toBe(0);
    expect(end.holder.failed).toBeGreaterThanOrEqual(3);
    expect(end.holder.firstFailure).toMatchObject({ status: 403, code: 10000 });
    // Every holder call answered before the clock moved passed; every one sent after it failed. A call in flight
    // while the clock moved may go either way (the snapshot above can also miss it), so it is not counted.
    const holderCalls = holder.calls();
    expect(holderCalls.filter((c) => c.answered <= advanceSent).every((c) => c.ok)).toBe(true);
    const afterGrace = holderCalls.filter((c) => c.sent >= advanceAnswered);
    expect(afterGrace.length).toBeGreaterThanOrEqual(3);
    expect(afterGrace.some((c) => c.ok)).toBe(false);
  });

  test('WHEN it rotates by roll THEN the old-value consumer fails at once (the documented cost of a roll)', async () => {
    const held = await sinkValue();
    const reReader = consumer(sinkValue);
    const holder = consumer(() => Promise.resolve(held));
    await pause(1000);
    const beforeRoll = { reReader: reReader.tally(), holder: holder.tally() };
    const r = await world.cli('rotate', KEY, '--strategy', 'roll');
    const rolledAt = Date.now();
    const atRoll = holder.tally();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    await pause(1200);
    await Promise.all([reReader.stop(), holder.stop()]);
    const end = { reReader: reReader.tally(), holder: holder.tally() };
    process.stderr.write(
      `[evidence] rotation consumers, roll: before it ${line('re-reader', beforeRoll.reReader)}, ${line('old-value holder', beforeRoll.holder)}; ` +
        `to the end ${line('re-reader', end.reReader)}, ${line('old-value holder', end.holder)}\n`,
    );
    expect(beforeRoll.holder.failed).toBe(0);
    // Every call the holder made after the roll returned failed: the old value died with the roll itself.
    expect(end.holder.failed).toBeGreaterThanOrEqual(4);
    expect(end.holder.firstFailure).toMatchObject({ status: 403, code: 10000 });
    expect(end.holder.firstFailure!.at).toBeLessThanOrEqual(rolledAt + PERIOD_MS + 100);
    expect(end.holder.ok).toBe(atRoll.ok);
    // The re-reader recovers by itself; it may lose a call between the roll and its next read of the sink.
    expect(end.reReader.ok).toBeGreaterThan(beforeRoll.reReader.ok);
  });
});
