/**
 * The attack suite's detectors can fail: a credential sent to the listener or the fake PostgreSQL is found, a
 * program run through the CLI's child_process (ESM import, as the bundle does) or a PATH shim is recorded.
 */
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findLeaks } from './attack-harness.js';
import { canaryValue, createSandbox, type Sandbox } from './sandbox.js';
import { startSniffers, type Sniffers } from './sniffers.js';

let sniffers: Sniffers;
let sandbox: Sandbox;

beforeAll(async () => {
  sniffers = await startSniffers();
  sandbox = await createSandbox({
    sniffers,
    emulatorUrl: 'http://127.0.0.1:9/',
    cfToken: canaryValue(),
    trustedPgPort: 9,
  });
});
afterAll(async () => {
  await sniffers.close();
  await sandbox.cleanup();
});

describe('GIVEN the attack harness', () => {
  test('WHEN a canary is sent to the HTTP listener THEN the request is recorded and the leak found', async () => {
    const secret = canaryValue();
    await fetch(`${sniffers.httpUrl}/repos/acme/infra/actions/secrets/public-key`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(sniffers.http).toHaveLength(1);
    const texts = sniffers.http.map((h) => ({ where: 'the request', text: JSON.stringify(h) }));
    expect(findLeaks([{ label: 'canary', value: secret }], texts)).toEqual(['canary in the request']);
    expect(
      findLeaks([{ label: 'canary', value: secret }], [{ where: 'b64', text: Buffer.from(secret).toString('base64') }]),
    ).toEqual(['canary in b64']);
  });

  test('WHEN a PostgreSQL client connects with a password THEN the fake server gets it in clear text and refuses', async () => {
    const secret = canaryValue();
    const client = new pg.Client({
      connectionString: `postgres://u:${secret}@127.0.0.1:${sniffers.pgPort}/db?sslmode=disable`,
    });
    await expect(client.connect()).rejects.toThrow(/password authentication failed/);
    expect(sniffers.pg.some((b) => b.toString('latin1').includes(secret))).toBe(true);
  });

  test('WHEN the CLI process would spawn (ESM import) or run a shim THEN both are recorded', async () => {
    const script = "import { spawnSync } from 'node:child_process'; spawnSync('git', ['status']);";
    const r = spawnSync(process.execPath, ['--require', sandbox.preload, '--input-type=module', '-e', script], {
      env: sandbox.env,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect((await readdir(sandbox.markers)).sort()).toEqual(['child-process.log', 'ran-git']);
    expect(await readFile(join(sandbox.markers, 'child-process.log'), 'utf8')).toContain('spawnSync "git"');
  });
});
