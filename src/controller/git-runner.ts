/**
 * The system `git`, run without a shell and never waiting for a prompt. Credentials come from the usual git
 * environment (credential helpers, GIT_ASKPASS, SSH agent, ~/.ssh) or from the controller's flags: a token file
 * (handed to git by a credential helper that reads the file, so the token is never on a command line or in the
 * environment) and an SSH key file. Error output is scrubbed of URL user-info and the token before it is reported.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { CfgitopsError } from '../errors.js';
import { Secret } from '../secret.js';

export interface GitRunner {
  run(args: readonly string[], options: { cwd: string; signal?: AbortSignal | undefined }): Promise<string>;
}

export interface GitCredentials {
  /** A file holding an HTTPS token (GitHub: a PAT or an installation token), sent as the password. */
  tokenFile?: string;
  /** The user name sent with the token (default `x-access-token`, which GitHub and most forges accept). */
  tokenUser?: string;
  /** A private key file for SSH remotes. */
  sshKeyFile?: string;
}

export interface GitRunnerOptions {
  env: Readonly<Record<string, string | undefined>>;
  credentials: GitCredentials;
  /** One git command's time limit. */
  timeoutMs: number;
}

export function systemGit(options: GitRunnerOptions): GitRunner {
  const env = gitEnvironment(options.env, options.credentials);
  return {
    run: async (args, { cwd, signal }) => {
      if (options.credentials.tokenFile !== undefined) await registerTokenSecret(options.credentials.tokenFile);
      return new Promise<string>((resolve, reject) => {
        execFile(
          'git',
          [...args],
          { cwd, env, timeout: options.timeoutMs, maxBuffer: 16 * 1024 * 1024, ...(signal ? { signal } : {}) },
          (error, stdout, stderr) => {
            if (!error) {
              resolve(stdout);
              return;
            }
            const detail = scrubGitOutput(stderr.trim() || error.message).slice(0, 2000);
            reject(
              new CfgitopsError('E_SOURCE', `git ${args[0] ?? ''} failed: ${detail}`, {
                hint: 'check the repository URL, branch and credentials (--git-token-file, --git-ssh-key, or the git environment)',
              }),
            );
          },
        );
      });
    },
  };
}

/** Config for this process's git commands through GIT_CONFIG_* (git ≥ 2.31), so nothing shows in `ps`. */
export function gitEnvironment(
  base: Readonly<Record<string, string | undefined>>,
  credentials: GitCredentials,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  env['GIT_TERMINAL_PROMPT'] = '0';
  const config: [string, string][] = [];
  if (credentials.tokenFile !== undefined) {
    const user = credentials.tokenUser ?? 'x-access-token';
    // A helper that prints the file's content at the moment git asks: a rotated token file is picked up as is.
    config.push(
      ['credential.helper', ''],
      [
        'credential.helper',
        `!f() { test "$1" = get || exit 0; printf 'username=%s\\n' ${shellQuote(user)}; printf 'password=%s\\n' "$(cat ${shellQuote(credentials.tokenFile)})"; }; f`,
      ],
    );
  }
  if (credentials.sshKeyFile !== undefined) {
    env['GIT_SSH_COMMAND'] = `ssh -i ${shellQuote(credentials.sshKeyFile)} -o IdentitiesOnly=yes -o BatchMode=yes`;
  }
  const offset = Number(env['GIT_CONFIG_COUNT'] ?? '0') || 0;
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${offset + i}`] = key;
    env[`GIT_CONFIG_VALUE_${offset + i}`] = value;
  });
  if (config.length > 0) env['GIT_CONFIG_COUNT'] = String(offset + config.length);
  return env;
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Registers the token with the scrubber, so no log line or error can carry it, whatever git prints. */
async function registerTokenSecret(file: string): Promise<void> {
  const token = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (token.length >= 8) new Secret(token);
}

export function scrubGitOutput(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^@/\s]+@/gi, '$1');
}
