/**
 * The guard main() holds against a silent exit 13, in real child processes (Node's own behaviour is what matters).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { bundleChild } from '../state/child-bundle.js';

let script: string;
beforeAll(async () => {
  script = await bundleChild(fileURLToPath(new URL('./children/pending-run.ts', import.meta.url)));
}, 60_000);

function run(mode: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [script, mode], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      resolve({ code, stderr });
    }),
  );
}

describe('an exit while a run is still pending', () => {
  test('GIVEN a run whose promise never settles WHEN the event loop empties THEN exit 13 saying it is a bug', async () => {
    const { code, stderr } = await run('pending');
    expect(code).toBe(13);
    expect(stderr).toMatch(/^internal error: .*bug/m);
  });

  test('GIVEN a run that settles WHEN the process exits THEN exit 0 and nothing said', async () => {
    const { code, stderr } = await run('settled');
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });

  test('GIVEN main() WHEN the run settles THEN its exit listener is gone', async () => {
    const before = process.listenerCount('exit');
    const out = { write: () => true };
    await main(['--version'], { env: {}, cwd: process.cwd(), stdout: out, stderr: out });
    expect(process.listenerCount('exit')).toBe(before);
  });
});
