import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Clock } from '../../../src/effects.js';
import { FaultInjector } from '../../../src/emulator/faults.js';
import { seededRandom } from '../../../src/emulator/random.js';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';

/** Latency goes through the injected clock's sleep: recorded, not waited for. */
const slept: number[] = [];
const clock: Clock = {
  now: () => Date.parse('2030-01-01T00:00:00Z'),
  sleep: (ms) => {
    slept.push(ms);
    return Promise.resolve();
  },
};

let emu: TestEmulator;
let peers: string;
const CREATE_PEER = 'secondary-dns-(-peer)-create-peer';

beforeAll(async () => {
  emu = await startTestEmulator({ clock, seed: 42, rateLimit: false });
  peers = `/accounts/${emu.account}/secondary_dns/peers`;
});
afterEach(async () => {
  await emu.control('PUT', '/faults', { rules: [] });
  slept.length = 0;
  emu.assertNoContractViolations();
});
afterAll(async () => {
  await emu.close();
});

async function peerNames(): Promise<string[]> {
  return ((await emu.api('GET', peers)).body.result as { name: string }[]).map((p) => p.name);
}

describe('fault kinds', () => {
  test('GIVEN commit-then-drop on peer create WHEN a peer is created THEN the connection dies but the peer exists', async () => {
    await emu.control('PUT', '/faults', { rules: [{ kind: 'commit-then-drop', operationId: CREATE_PEER, times: 1 }] });
    const dropped = emu.nextFault();
    await expect(emu.api('POST', peers, { name: 'ghost' })).rejects.toThrow();
    expect(await dropped).toEqual({ operationId: CREATE_PEER, kind: 'commit-then-drop' });
    expect(await peerNames()).toContain('ghost');
    // times: 1 — the next create answers normally.
    expect((await emu.api('POST', peers, { name: 'after' })).status).toBe(200);
    const counts = (await emu.control('GET', '/requests')).body.byOperation[CREATE_PEER];
    expect(counts['commit-then-drop']).toBe(1);
  });

  test('GIVEN reset on peer create WHEN a peer is created THEN the connection dies and nothing is written', async () => {
    await emu.control('PUT', '/faults', {
      rules: [{ kind: 'reset', method: 'POST', path: '/accounts/{account_id}/secondary_dns/peers' }],
    });
    await expect(emu.api('POST', peers, { name: 'never' })).rejects.toThrow();
    expect(await peerNames()).not.toContain('never');
  });

  test('GIVEN an error fault with status 502 WHEN listing THEN 502 with a failure envelope and no work done', async () => {
    await emu.control('PUT', '/faults', { rules: [{ kind: 'error', operationId: CREATE_PEER, status: 502 }] });
    const res = await emu.api('POST', peers, { name: 'not-created' });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ success: false, result: null });
    expect(await peerNames()).not.toContain('not-created');
  });

  test('GIVEN a hang fault WHEN the client gives up THEN no answer ever came, and the next call works', async () => {
    await emu.control('PUT', '/faults', { rules: [{ kind: 'hang', method: 'GET', times: 1 }] });
    const abort = new AbortController();
    const hung = emu.nextFault();
    const call = fetch(`${emu.baseUrl}${peers}`, {
      headers: { authorization: `Bearer ${emu.apiToken}` },
      signal: abort.signal,
    });
    expect((await hung).kind).toBe('hang');
    abort.abort();
    await expect(call).rejects.toThrow();
    expect((await emu.api('GET', peers)).status).toBe(200);
  });

  test('GIVEN latency and jitter WHEN calls are made THEN each waits ms + jitter through the injected clock', async () => {
    await emu.control('PUT', '/faults', {
      rules: [{ kind: 'latency', operationId: 'secondary-dns-(-peer)-list-peers', ms: 100, jitterMs: 50 }],
    });
    for (let i = 0; i < 5; i++) await emu.api('GET', peers);
    expect(slept).toHaveLength(5);
    for (const ms of slept) expect(ms >= 100 && ms < 150).toBe(true);
  });
});

describe('fault selection', () => {
  test('GIVEN rate 0.5 WHEN 40 creates are sent THEN some but not all fail', async () => {
    emu.faults.set([{ kind: 'error', operationId: CREATE_PEER, rate: 0.5 }]);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await emu.api('POST', peers, { name: `r${i}` })).status);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(5);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(5);
  });

  test('GIVEN the same seed WHEN the dice are rolled THEN the same requests fail', () => {
    const rules = [{ kind: 'reset' as const, rate: 0.3 }];
    const roll = (seed: number): (string | undefined)[] => {
      const faults = new FaultInjector(seededRandom(seed), rules);
      return Array.from({ length: 50 }, () => faults.decide('op', 'GET', '/x').action?.kind);
    };
    expect(roll(9)).toEqual(roll(9));
    expect(roll(9)).not.toEqual(roll(10));
  });

  test('GIVEN first: N WHEN the dice are rolled under any seed THEN the first N matching requests always fault, then the rate decides', () => {
    for (let seed = 0; seed < 200; seed++) {
      const faults = new FaultInjector(seededRandom(seed), [{ kind: 'error', rate: 0.2, first: 2 }]);
      const kinds = Array.from({ length: 20 }, () => faults.decide('op', 'GET', '/x').action?.kind);
      expect(kinds.slice(0, 2), `seed ${seed}`).toEqual(['error', 'error']);
    }
    const never = new FaultInjector(seededRandom(1), [{ kind: 'reset', rate: 0, first: 1 }]);
    expect(Array.from({ length: 5 }, () => never.decide('op', 'GET', '/x').action?.kind)).toEqual([
      'reset',
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    const capped = new FaultInjector(seededRandom(1), [{ kind: 'reset', first: 3, times: 1 }]);
    expect(Array.from({ length: 3 }, () => capped.decide('op', 'GET', '/x').action?.kind)).toEqual([
      'reset',
      undefined,
      undefined,
    ]);
  });

  test('GIVEN a rule for one operation WHEN another operation is called THEN it is untouched', async () => {
    await emu.control('PUT', '/faults', { rules: [{ kind: 'error', operationId: CREATE_PEER }] });
    expect((await emu.api('GET', peers)).status).toBe(200);
  });

  test.each([
    [{ rules: [{ kind: 'explode' }] }],
    [{ rules: [{ kind: 'error', rate: -1 }] }],
    [{ rules: 'none' }],
    [{ rules: [{ kind: 'error', operationId: 'secondary-dns-peer-create' }] }],
    [{ rules: [{ kind: 'error', path: '/accounts/{account_id}/secondary_dns/peer' }] }],
    [{ rules: [{ kind: 'error', method: 'PATCH' }] }],
    [{ rules: [{ kind: 'error', operationId: CREATE_PEER, method: 'GET' }] }],
    [{ rules: [{ kind: 'error' }, { kind: 'error', operationId: 'nope' }] }],
  ])('GIVEN an invalid fault setting %j WHEN PUT THEN 400 and the settings are unchanged', async (body) => {
    const res = await emu.control('PUT', '/faults', body);
    expect(res.status).toBe(400);
    expect((await emu.control('GET', '/faults')).body).toEqual({ rules: [] });
  });

  test('GIVEN an unknown operationId WHEN PUT THEN the 400 lists the valid operationIds', async () => {
    const res = await emu.control('PUT', '/faults', { rules: [{ kind: 'reset', operationId: 'create-peer' }] });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain(CREATE_PEER);
  });

  test.each([
    [{ kind: 'error' }],
    [{ kind: 'error', method: 'post' }],
    [{ kind: 'error', method: '*', path: '/accounts/{account_id}/tokens/{token_id}/value' }],
    [{ kind: 'latency', operationId: CREATE_PEER, method: 'POST', ms: 1 }],
  ])('GIVEN the rule %j that matches an operation WHEN PUT THEN accepted', async (rule) => {
    const res = await emu.control('PUT', '/faults', { rules: [rule] });
    expect(res.status).toBe(200);
    expect((await emu.control('GET', '/faults')).body).toEqual({ rules: [rule] });
  });
});
