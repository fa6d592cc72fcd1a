/**
 * `--github` (declared with the CLI's other shared flags in src/cli/options.ts) → the reporter a command publishes
 * through. Loaded by a command's implementation only, so `--help` never loads the GitHub client.
 */
import type { App } from '../app.js';
import { parsePrNumber } from './github-context.js';
import { createGitHubReporter, type GitHubReporter } from './github-reporter.js';

/** What `--github` (with `--pr-comment`, `--pr N`) asked for. */
export interface GitHubRequest {
  prComment: boolean;
  pr?: string;
}

/** The reporter when `--github` was given; `CFGITOPS_PR_COMMENT=true` also asks for the sticky comment. */
export function githubSettings(app: App, request: GitHubRequest | undefined): GitHubReporter | undefined {
  if (request === undefined) return undefined;
  const pr = request.pr !== undefined ? parsePrNumber(request.pr) : undefined;
  return createGitHubReporter(
    {
      prComment: request.prComment || app.env['CFGITOPS_PR_COMMENT'] === 'true',
      ...(pr !== undefined ? { pr } : {}),
    },
    {
      env: app.env,
      clock: app.clock,
      err: (t) => {
        app.output.err(t);
      },
    },
  );
}
