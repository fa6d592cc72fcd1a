import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { gitEnvironment, scrubGitOutput } from '../../../src/controller/git-runner.js';
import { redactUrl } from '../../../src/controller/manifest-source.js';

describe('git credentials', () => {
  test('GIVEN a token file WHEN git asks for credentials THEN the helper answers with the file content, and the token is in no environment variable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cfgitops-git-'));
    try {
      const tokenFile = join(dir, "to'ken");
      await writeFile(tokenFile, 'ghp_tokenValue0123456789\n');
      const env = gitEnvironment({ PATH: process.env['PATH'], HOME: dir }, { tokenFile });
      expect(Object.values(env).join('\n')).not.toContain('ghp_tokenValue0123456789');
      const child = execFile('git', ['credential', 'fill'], { env, cwd: dir });
      child.stdin?.end('protocol=https\nhost=github.com\n\n');
      const out = await new Promise<string>((resolve) => {
        let text = '';
        child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
        child.on('close', () => {
          resolve(text);
        });
      });
      expect(out).toContain('username=x-access-token');
      expect(out).toContain('password=ghp_tokenValue0123456789');
      expect(env['GIT_TERMINAL_PROMPT']).toBe('0');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('GIVEN an SSH key THEN git uses only it, without prompting', () => {
    const env = gitEnvironment({}, { sshKeyFile: '/keys/id_ed25519' });
    expect(env['GIT_SSH_COMMAND']).toBe("ssh -i '/keys/id_ed25519' -o IdentitiesOnly=yes -o BatchMode=yes");
  });

  test.each([
    ['https://user:tok3n@github.com/acme/dns.git', 'https://github.com/acme/dns.git'],
    ['https://github.com/acme/dns.git', 'https://github.com/acme/dns.git'],
    ['git@github.com:acme/dns.git', 'git@github.com:acme/dns.git'],
  ])('GIVEN %s THEN it is shown as %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });

  test('GIVEN git error output with user-info in a URL THEN it is removed', () => {
    expect(scrubGitOutput("fatal: unable to access 'https://x:secret123@host/r.git/': 403")).toBe(
      "fatal: unable to access 'https://host/r.git/': 403",
    );
  });
});
