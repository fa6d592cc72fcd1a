/**
 * Where the controller's manifests come from: a local directory, or a branch of a git repository that it clones
 * and fetches with the system `git`. `sync()` brings the source up to date and says which revision is on disk.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CfgitopsError } from '../errors.js';
import type { GitRunner } from './git-runner.js';

export interface SourceRevision {
  /** The manifest directory to load (absolute). */
  dir: string;
  /** The commit checked out (or HEAD of a local directory that is a git work tree); absent: not a git source. */
  commit?: string;
}

export interface ManifestSource {
  /** For logs and /status: never a credential (URLs are shown without their user-info). */
  readonly describe: string;
  sync(signal?: AbortSignal): Promise<SourceRevision>;
}

/** A local directory (a mounted volume, a git-sync sidecar's checkout, the repository the controller runs in). */
export function directorySource(dir: string, git: GitRunner): ManifestSource {
  return {
    describe: `directory ${dir}`,
    sync: async (signal) => {
      const s = await stat(dir).catch(() => undefined);
      if (!s?.isDirectory()) {
        throw new CfgitopsError('E_SOURCE', `the manifest directory ${dir} does not exist`, {
          hint: 'check --source (a directory of manifests), or use --git URL --branch B',
        });
      }
      // A directory inside a git work tree reports its commit, so "the commit changed" triggers a cycle here too.
      const head = await git.run(['rev-parse', 'HEAD'], { cwd: dir, signal }).catch(() => undefined);
      const commit = head?.trim();
      return { dir, ...(commit && /^[0-9a-f]{40,64}$/.test(commit) ? { commit } : {}) };
    },
  };
}

export interface GitSourceOptions {
  url: string;
  branch: string;
  /** Manifest directory inside the repository (default: its root). */
  path: string;
  /** Where the checkout lives (the controller owns it: it is reset to the fetched commit on every sync). */
  checkoutDir: string;
}

/**
 * A shallow, single-branch checkout. Every sync fetches the branch and, when the commit moved, checks it out with
 * `--force` and removes untracked files, so the manifests on disk are exactly the commit's.
 */
export function gitSource(options: GitSourceOptions, git: GitRunner): ManifestSource {
  const { checkoutDir, branch } = options;
  let cloned = false;
  let current: string | undefined;
  const manifestDir = join(checkoutDir, options.path);
  return {
    describe: `git ${redactUrl(options.url)} branch ${branch}${options.path === '.' || options.path === '' ? '' : ` path ${options.path}`}`,
    sync: async (signal) => {
      if (!cloned) {
        const existing = await git.run(['rev-parse', '--git-dir'], { cwd: checkoutDir, signal }).catch(() => undefined);
        if (existing === undefined || !(await sameRemote(git, checkoutDir, options.url, signal))) {
          await git.run(['init', '--quiet', checkoutDir], { cwd: '/', signal });
          await git.run(['remote', 'remove', 'origin'], { cwd: checkoutDir, signal }).catch(() => undefined);
          await git.run(['remote', 'add', 'origin', options.url], { cwd: checkoutDir, signal });
        }
        cloned = true;
      }
      await git.run(
        ['fetch', '--quiet', '--depth', '1', '--no-tags', 'origin', `+refs/heads/${branch}:refs/cfgitops/source`],
        {
          cwd: checkoutDir,
          signal,
        },
      );
      const commit = (await git.run(['rev-parse', 'refs/cfgitops/source'], { cwd: checkoutDir, signal })).trim();
      if (commit !== current) {
        await git.run(['checkout', '--quiet', '--force', '--detach', commit], { cwd: checkoutDir, signal });
        await git.run(['clean', '-ffdxq'], { cwd: checkoutDir, signal });
        current = commit;
      }
      const s = await stat(manifestDir).catch(() => undefined);
      if (!s?.isDirectory()) {
        throw new CfgitopsError('E_SOURCE', `commit ${commit.slice(0, 12)} has no directory ${options.path}`, {
          hint: 'check --path (the manifest directory inside the repository)',
        });
      }
      return { dir: manifestDir, commit };
    },
  };
}

async function sameRemote(git: GitRunner, dir: string, url: string, signal?: AbortSignal): Promise<boolean> {
  const remote = await git.run(['remote', 'get-url', 'origin'], { cwd: dir, signal }).catch(() => '');
  return remote.trim() === url;
}

/** `https://user:token@host/x` → `https://host/x`: credentials in a URL never reach a log or /status. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username === '' && u.password === '') return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    // scp-like `git@github.com:org/repo.git`: the user part is a login name, not a secret.
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}
