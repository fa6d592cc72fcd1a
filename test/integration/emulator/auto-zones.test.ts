/**
 * The embedded emulator (`--emulator`, autoZones) creates a zone when its first transfer configuration arrives —
 * secondary for incoming, primary for outgoing, in the account of its peers — so the quick start can link a zone
 * nobody created. A test emulator (autoZones off) routes an unknown zone nowhere, as Cloudflare does.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';

const ZONE = 'e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5';

describe.each([
  [true, 200],
  [false, 404],
])('GIVEN autoZones %s', (autoZones, expected) => {
  let emulator: TestEmulator;
  beforeAll(async () => {
    emulator = await startTestEmulator({ rateLimit: false, autoZones });
  });
  afterAll(async () => {
    emulator.assertNoContractViolations();
    await emulator.close();
  });

  test(`WHEN an unknown zone's incoming configuration is posted THEN ${expected}`, async () => {
    const peer = await emulator.api('POST', `/accounts/${emulator.account}/secondary_dns/peers`, { name: 'ns1' });
    const id = (peer.body as { result: { id: string } }).result.id;
    expect((await emulator.api('GET', `/zones/${ZONE}/secondary_dns/incoming`)).status).toBe(404);
    const r = await emulator.api('POST', `/zones/${ZONE}/secondary_dns/incoming`, {
      name: 'auto.example.',
      peers: [id],
      auto_refresh_seconds: 3600,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(expected);
    const zones = (await emulator.control('GET', '/zones')).body as { zones: { id: string; type: string }[] };
    expect(zones.zones).toEqual(autoZones ? [expect.objectContaining({ id: ZONE, type: 'secondary' })] : []);
    if (!autoZones) return;
    // Now a secondary zone: outgoing is refused there.
    const out = await emulator.api('POST', `/zones/${ZONE}/secondary_dns/outgoing`, {
      name: 'auto.example.',
      peers: [id],
    });
    expect(out.status).toBe(400);
    expect(JSON.stringify(out.body)).toContain('outgoing transfers need a primary zone');
    // The zone uses the peer: deleting it is refused, naming the zone.
    const del = await emulator.api('DELETE', `/accounts/${emulator.account}/secondary_dns/peers/${id}`);
    expect(del.status).toBe(400);
    expect(JSON.stringify(del.body)).toContain(`peer is in use by zone auto.example. (${ZONE})`);
  });
});
