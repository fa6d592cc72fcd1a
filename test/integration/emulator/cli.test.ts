import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { emulatorOptionsFromFlags, parseRateLimit } from '../../../src/cli/commands/emulator.js';
import { CfgitopsError } from '../../../src/errors.js';
import { DEFAULT_EMULATOR_TOKEN, startEmulator } from '../../../src/emulator/start-emulator.js';

const BIN = fileURLToPath(new URL('../../../bin/cfgitops.js', import.meta.url));
const DIST_MAIN = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));

describe('cfgitops emulator (the real binary; `npm test` builds dist first)', () => {
  test.skipIf(!existsSync(DIST_MAIN))(
    'GIVEN --port 0 WHEN started THEN the first stdout line is the base URL, it serves, and SIGTERM exits 0',
    async () => {
      const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0', '--seed', '1'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const lines = createInterface({ input: child.stdout });
      const [first] = (await once(lines, 'line')) as [string];
      expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/client\/v4$/);
      const res = await fetch(`${first}/accounts/${'a'.repeat(32)}/tokens/verify`, {
        headers: { authorization: `Bearer ${DEFAULT_EMULATOR_TOKEN}` },
      });
      expect(res.status).toBe(200);
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    },
  );
});

describe('flags and binding', () => {
  test.each([
    ['1200/300', { quota: 1200, windowSeconds: 300, blockSeconds: 300 }],
    ['5/1', { quota: 5, windowSeconds: 1, blockSeconds: 1 }],
    ['off', false],
  ])('GIVEN --rate-limit %s THEN %j', (flag, expected) => {
    expect(parseRateLimit(flag)).toEqual(expected);
  });

  test.each([['1200'], ['0/10'], ['a/b']])('GIVEN --rate-limit %s THEN E_USAGE', (flag) => {
    expect(() => parseRateLimit(flag)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });

  test.each([
    [{ port: '70000', host: '127.0.0.1' }],
    [{ port: '0', host: '127.0.0.1', latency: '-1' }],
    [{ port: '0', host: '127.0.0.1', seed: 'x' }],
  ])('GIVEN flags %j THEN E_USAGE', (flags) => {
    expect(() => emulatorOptionsFromFlags(flags)).toThrow(CfgitopsError);
  });

  const TOKEN = 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0';
  const KEY = 'c2547eb745079dac9320b638f5e225cf483cc';
  test.each([
    { what: 'a token with a space', flags: { apiToken: 'not a token at all 12345' } },
    { what: 'a token too short', flags: { apiToken: 'short' } },
    { what: 'a quoted token', flags: { apiToken: `"${TOKEN}"` } },
    { what: '--email alone', flags: { email: 'dev@example.com' } },
    { what: '--api-key alone', flags: { apiKey: KEY } },
    { what: 'a malformed email', flags: { email: 'nobody', apiKey: KEY } },
    { what: 'a key with a dash', flags: { email: 'dev@example.com', apiKey: `${KEY}-x` } },
  ])('GIVEN $what WHEN the flags are read THEN E_USAGE without echoing the value', ({ flags }) => {
    let error: unknown;
    try {
      emulatorOptionsFromFlags({ port: '0', host: '127.0.0.1', ...flags });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'E_USAGE' });
    const printed = (error as CfgitopsError).format();
    for (const v of Object.values(flags)) expect(printed).not.toContain(v);
  });

  test.each([
    { what: 'a well-formed token', flags: { apiToken: TOKEN } },
    { what: 'email and key together', flags: { email: 'dev@example.com', apiKey: KEY } },
  ])('GIVEN $what WHEN the flags are read THEN accepted as given', ({ flags }) => {
    expect(emulatorOptionsFromFlags({ port: '0', host: '127.0.0.1', ...flags })).toMatchObject(flags);
  });

  test('GIVEN --api-token accepted by the flags WHEN the emulator runs with it THEN it authenticates that token', async () => {
    const emulator = await startEmulator(emulatorOptionsFromFlags({ port: '0', host: '127.0.0.1', apiToken: TOKEN }));
    try {
      const res = await fetch(`${emulator.baseUrl}/accounts/${'a'.repeat(32)}/tokens/verify`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(res.status).toBe(200);
    } finally {
      await emulator.close();
    }
  });

  test('GIVEN a non-loopback host WHEN starting without allowRemote THEN it refuses with E_USAGE', async () => {
    await expect(startEmulator({ host: '0.0.0.0' })).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});
