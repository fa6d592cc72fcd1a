/**
 * The `--github`, `--pr-comment` and `--pr N` flags, shared by plan, drift and validate so they read the same.
 */
import type { Command } from 'commander';
import type { App } from '../app.js';
import { parsePrNumber } from './github-context.js';
import { createGitHubReporter, type GitHubReporter } from './github-reporter.js';

export function githubOptions(command: Command): Command {
  return command
    .option('--github', 'in GitHub Actions: write the report to the step summary and annotate errors')
    .option('--pr-comment', 'with --github: create or update one sticky comment on the pull request (GITHUB_TOKEN)')
    .option('--pr <number>', 'the pull request to comment on (default: from the event payload)');
}

/** The reporter when `--github` was given (always explicit: never switched on by the environment alone). */
export function githubSettings(app: App, opts: Record<string, unknown>): GitHubReporter | undefined {
  if (opts['github'] !== true) return undefined;
  const pr = typeof opts['pr'] === 'string' ? parsePrNumber(opts['pr']) : undefined;
  return createGitHubReporter(
    {
      prComment: opts['prComment'] === true || app.env['CFGITOPS_PR_COMMENT'] === 'true',
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
