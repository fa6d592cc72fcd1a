import { readFileSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Clock } from '../../../src/effects.js';
import { Secret } from '../../../src/secret.js';
import { createSecretSinks } from '../../../src/secrets/create-secret-sinks.js';
import type { SecretSink } from '../../../src/secrets/types.js';
import { capturedLogger, configWith, frozenClock, instantClock, tempDir, token, tokenValue } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

function execSink(command: string[], clock: Clock = frozenClock, env: Record<string, string> = {}): SecretSink {
  return createSecretSinks(configWith({ vault: { type: 'exec', command, timeoutSeconds: 5 } }), {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
    clock,
    log: capturedLogger().log,
    cwd: dir,
  }).get('vault');
}

/** A node script that records its stdin, argv and CFGITOPS_* env to `received.json`. */
const RECORDER = `
const fs = require('node:fs');
let stdin = '';
process.stdin.on('data', (c) => (stdin += c));
process.stdin.on('end', () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('CFGITOPS_')));
  const allEnv = Object.values(process.env).join('\\n');
  fs.writeFileSync('received.json', JSON.stringify({ stdin, argv: process.argv.slice(2), env, allEnv }));
});
`;

/** Writes the names of the variables it received to `env.json`. */
const ENV_RECORDER = `require('node:fs').writeFileSync('env.json', JSON.stringify(Object.keys(process.env).sort()));`;

const CREDENTIALS = {
  CLOUDFLARE_API_TOKEN: 'cf-token-value',
  CLOUDFLARE_API_KEY: 'cf-global-key',
  CLOUDFLARE_EMAIL: 'ops@example.com',
  CFGITOPS_PG_URL: 'postgres://u:p@db/cfgitops',
  DATABASE_URL: 'postgres://u:p@db/other',
  GH_SINK_TOKEN: 'ghp_sinktoken',
};

describe('exec sink environment', () => {
  test.each<[string, string[] | undefined, string[]]>([
    ['no inheritEnv', undefined, []],
    ['inheritEnv naming CLOUDFLARE_API_TOKEN', ['CLOUDFLARE_API_TOKEN'], ['CLOUDFLARE_API_TOKEN']],
    ["inheritEnv naming a GitHub sink's tokenEnv", ['GH_SINK_TOKEN'], ['GH_SINK_TOKEN']],
  ])(
    "GIVEN cfgitops' credentials in its environment and %s WHEN put THEN the command gets its own variables and only the inherited credentials",
    async (_what, inheritEnv, inherited) => {
      await writeFile(join(dir, 'env.cjs'), ENV_RECORDER);
      const config = configWith({
        vault: {
          type: 'exec',
          command: [process.execPath, 'env.cjs'],
          timeoutSeconds: 5,
          ...(inheritEnv ? { inheritEnv } : {}),
        },
        gh: {
          type: 'github-actions',
          repository: 'acme/app',
          tokenEnv: 'GH_SINK_TOKEN',
          apiUrl: 'https://api.github.com',
        },
      });
      const sink = createSecretSinks(config, {
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', VAULT_TOKEN: 'hvs.x', ...CREDENTIALS },
        clock: frozenClock,
        log: capturedLogger().log,
        cwd: dir,
      }).get('vault');
      await sink.put({ sink: 'vault', key: 'k' }, token, new Secret(tokenValue()));
      const names = JSON.parse(await readFile(join(dir, 'env.json'), 'utf8')) as string[];
      expect(names).toContain('VAULT_TOKEN');
      expect(names).toContain('PATH');
      expect(names.filter((n) => n in CREDENTIALS)).toEqual(inherited);
    },
  );
});

describe('exec sink', () => {
  test('GIVEN a recorder command WHEN a value is put THEN the value arrives on stdin only, metadata in CFGITOPS_* env', async () => {
    await writeFile(join(dir, 'recorder.cjs'), RECORDER);
    const v = tokenValue();
    await execSink([process.execPath, 'recorder.cjs', 'kv', 'put', 'value=-']).put(
      { sink: 'vault', key: 'cf/ci' },
      token,
      new Secret(v),
    );
    const got = JSON.parse(await readFile(join(dir, 'received.json'), 'utf8'));
    expect(got.stdin).toBe(v);
    expect(got.argv).toEqual(['kv', 'put', 'value=-']);
    expect(got.env).toEqual({
      CFGITOPS_TOKEN_NAME: token.name,
      CFGITOPS_TOKEN_ID: token.id,
      CFGITOPS_ACCOUNT_ID: token.account,
      CFGITOPS_SECRET_KEY: 'cf/ci',
      CFGITOPS_CF_NAME: token.cf_name,
      CFGITOPS_SINK_ACTION: 'put',
    });
    expect(got.allEnv).not.toContain(v);
  });

  test('GIVEN a shell script on a relative path WHEN put THEN it runs without a shell interpreting the arguments', async () => {
    const script = join(dir, 'sink.sh');
    await writeFile(script, '#!/bin/sh\ncat > "$1"\n');
    await chmod(script, 0o755);
    const v = tokenValue();
    await execSink(['./sink.sh', 'out; touch pwned']).put({ sink: 'vault', key: 'k' }, token, new Secret(v));
    expect(await readFile(join(dir, 'out; touch pwned'), 'utf8')).toBe(v);
  });

  test('GIVEN a command that echoes the value to stderr and exits 1 WHEN put THEN E_SINK_WRITE without the value', async () => {
    await writeFile(
      join(dir, 'leaky.cjs'),
      `let s='';process.stdin.on('data',c=>s+=c).on('end',()=>{console.error('bad value: '+s+' base64 '+Buffer.from(s).toString('base64'));process.exit(1);});`,
    );
    const v = tokenValue();
    const err = await execSink([process.execPath, 'leaky.cjs'])
      .put({ sink: 'vault', key: 'k' }, token, new Secret(v))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_SINK_WRITE', sink: 'vault', key: 'k' });
    const text = `${(err as Error).message} ${JSON.stringify(err)}`;
    expect(text).toContain('bad value: [redacted]');
    expect(text).not.toContain(v);
    expect(text).not.toContain(Buffer.from(v).toString('base64'));
  });

  test('GIVEN a command with a huge stderr WHEN it fails THEN the message is truncated', async () => {
    await writeFile(join(dir, 'noisy.cjs'), `process.stderr.write('x'.repeat(100000), () => process.exit(3));`);
    const err = await execSink([process.execPath, 'noisy.cjs'])
      .put({ sink: 'vault', key: 'k' }, token, new Secret(tokenValue()))
      .catch((e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'E_SINK_WRITE' });
    expect((err as Error).message.length).toBeLessThan(1000);
  });

  test('GIVEN a command that hangs and starts a child WHEN the timeout fires THEN the process group is killed and E_SINK_WRITE', async () => {
    // The child writes its pid so we can prove the whole group died.
    await writeFile(
      join(dir, 'hang.cjs'),
      `const c=require('node:child_process').spawn(process.execPath,['-e','setInterval(()=>{},1000)'],{stdio:'ignore'});require('node:fs').writeFileSync('child.pid',String(c.pid));setInterval(()=>{},1000);`,
    );
    // The clock's sleep resolves once the command has started (child.pid written), so the timeout fires then.
    let started!: () => void;
    const childStarted = new Promise<void>((r) => (started = r));
    const clock: Clock = { now: () => 0, sleep: () => childStarted };
    const sink = execSink([process.execPath, 'hang.cjs'], clock);
    const put = sink.put({ sink: 'vault', key: 'k' }, token, new Secret(tokenValue())).catch((e: unknown) => e);
    await waitForFile(join(dir, 'child.pid'));
    started();
    expect(await put).toMatchObject({ code: 'E_SINK_WRITE' });
    const childPid = Number(await readFile(join(dir, 'child.pid'), 'utf8'));
    await waitUntil(() => !alive(childPid));
    expect(alive(childPid)).toBe(false);
  });

  test.each([
    ['a missing program', ['definitely-not-a-command-xyz']],
    ['a non-executable file', ['./plain.txt']],
  ])('GIVEN %s WHEN put THEN E_SINK_WRITE, and check() is not ok', async (_what, command) => {
    await writeFile(join(dir, 'plain.txt'), 'not a program');
    const sink = execSink(command);
    await expect(sink.put({ sink: 'vault', key: 'k' }, token, new Secret(tokenValue()))).rejects.toMatchObject({
      code: 'E_SINK_WRITE',
    });
    expect(await sink.check()).toMatchObject({ ok: false });
  });

  test('GIVEN a program on PATH WHEN checked THEN ok, and the program is not run', async () => {
    await writeFile(join(dir, 'marker.sh'), '#!/bin/sh\ntouch ran\n');
    await chmod(join(dir, 'marker.sh'), 0o755);
    const sink = execSink(['marker.sh'], instantClock(), { PATH: dir });
    expect(await sink.check()).toMatchObject({ ok: true });
    await expect(readFile(join(dir, 'ran'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('GIVEN an empty command WHEN sinks are created THEN E_CONFIG', () => {
    expect(() => execSink([])).toThrow(expect.objectContaining({ code: 'E_CONFIG' }));
  });
});

/** Alive and not a zombie (a container without an init may never reap the killed grandchild). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Polls on the event loop (no timers): waits for an event in the outside world, not for time to pass. */
async function waitUntil(cond: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await cond())) await new Promise((r) => setImmediate(r));
}

async function waitForFile(path: string): Promise<void> {
  await waitUntil(() =>
    readFile(path, 'utf8').then(
      (s) => s.length > 0,
      () => false,
    ),
  );
}
