import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { startEmulator } from '../../../src/emulator/start-emulator.js';
import { startTestEmulator, tokenBody } from '../../support/emulator.js';

const dir = mkdtempSync(join(tmpdir(), 'cfgitops-emu-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const TSIG = { name: 'persist.', algo: 'hmac-sha512.', secret: 'cGVyc2lzdGVkLXRzaWctc2VjcmV0LXZhbHVl' };

test('GIVEN a data file WHEN the emulator restarts THEN the account is still there and token values still verify', async () => {
  const dataFile = join(dir, 'emulator.json');
  const first = await startTestEmulator({ dataFile });
  const a = first.account;
  const peer = (await first.api('POST', `/accounts/${a}/secondary_dns/peers`, { name: 'kept' })).body.result;
  await first.api('POST', `/accounts/${a}/secondary_dns/tsigs`, TSIG);
  const token = (await first.api('POST', `/accounts/${a}/tokens`, tokenBody(a))).body.result;
  first.assertNoContractViolations();
  await first.close();

  expect(statSync(dataFile).mode & 0o777).toBe(0o600);
  const onDisk = readFileSync(dataFile, 'utf8');
  expect(onDisk).not.toContain(token.value);
  expect(onDisk).toContain(token.id);

  const second = await startTestEmulator({ dataFile });
  try {
    expect((await second.api('GET', `/accounts/${a}/secondary_dns/peers/${peer.id}`)).body.result).toEqual(peer);
    expect((await second.api('GET', `/accounts/${a}/secondary_dns/tsigs`)).body.result).toMatchObject([TSIG]);
    const verify = await second.api('GET', `/accounts/${a}/tokens/verify`, undefined, {
      authorization: `Bearer ${token.value}`,
    });
    expect(verify.body.result).toEqual({ id: token.id, status: 'active' });
    const rolled: string = (await second.api('PUT', `/accounts/${a}/tokens/${token.id}/value`, {})).body.result;
    const old = await second.api('GET', `/accounts/${a}/tokens/verify`, undefined, {
      authorization: `Bearer ${token.value}`,
    });
    expect(old.status).toBe(403);
    expect(readFileSync(dataFile, 'utf8')).not.toContain(rolled);
    second.assertNoContractViolations();
  } finally {
    await second.close();
  }
});

test.each([
  ['{"something":"else"}'],
  ['not json at all'],
  ['{"format":"cfgitops-emulator","version":2,"accounts":{}}'],
])('GIVEN a data file holding %s WHEN starting THEN E_USAGE and the file is left alone', async (content) => {
  const dataFile = join(dir, 'foreign.json');
  writeFileSync(dataFile, content);
  await expect(startEmulator({ dataFile })).rejects.toMatchObject({ code: 'E_USAGE' });
  expect(readFileSync(dataFile, 'utf8')).toBe(content);
});
