import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createApp } from '../../../src/app.js';
import { runSinksCheckCommand, type SinkCheckReport } from '../../../src/cli/commands/sinks.js';
import { startGitHubFake, type GitHubFake } from '../../support/github-fake.js';
import { frozenClock, tempDir } from './helpers.js';

const GH_TOKEN = 'ghp_checktoken0123456789abcdefghijklmnop';
const RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';

let dir: string;
let cleanup: () => Promise<void>;
let gh: GitHubFake;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  gh = await startGitHubFake({ token: GH_TOKEN, repositories: ['acme/app'] });
  await writeFile(join(dir, 'never-run.sh'), '#!/bin/sh\ntouch ran\n', { mode: 0o755 });
});
afterEach(async () => {
  await gh.close();
  await cleanup();
});

async function writeConfig(sinks: string): Promise<void> {
  await mkdir(join(dir, 'desired-state'), { recursive: true });
  await writeFile(
    join(dir, 'desired-state/cfgitops.yaml'),
    `apiVersion: cfgitops.dev/v1\nkind: Config\nspec:\n  secrets:\n    default: local\n    sinks:\n${sinks}`,
  );
}

async function check(): Promise<{ code: number; report: { ok: boolean; sinks: SinkCheckReport[] } }> {
  const out: string[] = [];
  const app = createApp({
    env: { PATH: dir, GH_TOKEN },
    cwd: dir,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: () => true },
    clock: frozenClock,
    logDestination: { write: () => true },
  });
  const code = await runSinksCheckCommand(app, { dir: 'desired-state', format: 'json' });
  return { code, report: JSON.parse(out.join('')) };
}

const ALL_SINKS = (apiUrl: string) => `      local:
        type: file
        path: .cfgitops/secrets.json
      repo:
        type: age
        path: secrets
        recipients: [${RECIPIENT}]
      gh:
        type: github-actions
        repository: acme/app
        tokenEnv: GH_TOKEN
        apiUrl: ${apiUrl}
      vault:
        type: exec
        command: [never-run.sh, kv, put]
`;

describe('cfgitops sinks check', () => {
  test('GIVEN four working sinks WHEN checked THEN exit 0, every sink ok, nothing written and no command run', async () => {
    await writeConfig(ALL_SINKS(gh.url));
    const { code, report } = await check();
    expect(code).toBe(0);
    expect(report.sinks.map((s) => [s.name, s.type, s.ok, s.default])).toEqual([
      ['gh', 'github-actions', true, false],
      ['local', 'file', true, true],
      ['repo', 'age', true, false],
      ['vault', 'exec', true, false],
    ]);
    expect(gh.requests.map((r) => r.method)).toEqual(['GET']);
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(dir)).sort()).toEqual(['desired-state', 'never-run.sh']);
  });

  test('GIVEN a GitHub repository the token cannot see and a missing command WHEN checked THEN exit 1 naming both', async () => {
    await writeConfig(ALL_SINKS(gh.url).replace('acme/app', 'acme/other').replace('never-run.sh', 'no-such-cmd'));
    const { code, report } = await check();
    expect(code).toBe(1);
    expect(report.sinks.filter((s) => !s.ok).map((s) => s.name)).toEqual(['gh', 'vault']);
    expect(JSON.stringify(report)).not.toContain(GH_TOKEN);
  });

  test('GIVEN an invalid age recipient WHEN checked THEN the config error is thrown (E_CONFIG)', async () => {
    await writeConfig(ALL_SINKS(gh.url).replace(RECIPIENT, 'age1qqqqqqqq'));
    await expect(check()).rejects.toMatchObject({ code: 'E_CONFIG' });
  });
});
