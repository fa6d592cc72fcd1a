/**
 * `--github`: what plan, drift and validate add inside GitHub Actions — the Markdown report appended to the step
 * summary, one `::error` annotation per manifest or plan error (on stderr: the runner reads workflow commands from
 * both streams, and stdout stays clean for `--format json`), and with `--pr-comment` one sticky PR comment.
 * Outside Actions (GITHUB_ACTIONS is not `true`) it only says it is doing nothing.
 */
import { appendFile, readFile } from 'node:fs/promises';
import type { Clock } from '../effects.js';
import { CfgitopsError, errorList, formatLocation, isCfgitopsError } from '../errors.js';
import { Secret } from '../secret.js';
import type { FetchLike } from '../secrets/sink-deps.js';
import { readGitHubContext, type GitHubContext } from './github-context.js';
import { PrCommentClient, stickyMarker, type StickyCommentResult } from './pr-comment-client.js';
import { appendStepSummary, escapeMarkdownText } from './step-summary.js';
import { errorAnnotation } from './workflow-commands.js';

export interface GitHubOptions {
  /** `--pr-comment` */
  prComment: boolean;
  /** `--pr N` */
  pr?: number;
}

export interface GitHubReporterDeps {
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  /** stderr: notes and workflow commands. */
  err(text: string): void;
  fetch?: FetchLike;
  readFile?: (path: string) => Promise<string>;
}

export interface GitHubReport {
  /** `plan`, `drift`, `validate` — the summary heading. */
  command: string;
  /** The manifest directory (or state workspace): names the sticky comment. */
  key: string;
  markdown: string;
  /**
   * Workflow commands (`::error`/`::warning` lines from workflow-commands.ts) for what the report lists: a plan shown
   * with its errors, guardrail warnings.
   */
  annotations?: readonly string[];
}

export interface GitHubReporter {
  /** A run that produced a report. */
  publish(report: GitHubReport): Promise<StickyCommentResult | undefined>;
  /**
   * A run that failed: annotations for each error, and the error list in the summary and comment. Never throws:
   * the run's own error is what the user must see.
   */
  publishFailure(command: string, key: string, error: unknown): Promise<void>;
  /**
   * A step output (`$GITHUB_OUTPUT`), for later steps' `if:` — e.g. apply's `outcome`. Names and values are plain
   * words chosen by cfgitops, never manifest text.
   */
  setOutput(name: string, value: string): Promise<void>;
}

export function createGitHubReporter(options: GitHubOptions, deps: GitHubReporterDeps): GitHubReporter {
  let context: Promise<GitHubContext> | undefined;
  const ctx = (): Promise<GitHubContext> =>
    (context ??= readGitHubContext(deps.env, deps.readFile ?? ((p) => readFile(p, 'utf8')), options.pr));
  let warned = false;
  const active = async (): Promise<GitHubContext | undefined> => {
    const c = await ctx();
    if (c.actions) return c;
    if (!warned) deps.err('NOTE: --github has no effect outside GitHub Actions (GITHUB_ACTIONS is not "true").\n');
    warned = true;
    return undefined;
  };

  const write = async (c: GitHubContext, key: string, markdown: string): Promise<StickyCommentResult | undefined> => {
    if (c.summaryPath !== undefined) await appendStepSummary(c.summaryPath, markdown);
    if (!options.prComment) return undefined;
    if (c.pr === undefined) {
      deps.err('NOTE: --pr-comment: no pull request in this event (and no --pr N); not commenting.\n');
      return undefined;
    }
    const result = await commentClient(c, deps).upsert(c.pr, stickyMarker(key), markdown);
    deps.err(`${result.action === 'created' ? 'Posted' : 'Updated'} the plan comment on PR #${c.pr}.\n`);
    return result;
  };

  return {
    async publish(report) {
      const c = await active();
      if (c === undefined) return undefined;
      for (const line of report.annotations ?? []) deps.err(`${line}\n`);
      return write(c, report.key, report.markdown);
    },
    async setOutput(name, value) {
      const c = await active();
      if (c?.outputPath === undefined) return;
      if (!/^[a-z][a-z0-9_-]*$/.test(name) || !/^[a-z0-9:_-]*$/i.test(value)) {
        throw new CfgitopsError('E_INTERNAL', `refusing the step output ${name}: not a plain word`);
      }
      try {
        await appendFile(c.outputPath, `${name}=${value}\n`);
      } catch (e) {
        throw new CfgitopsError('E_GITHUB', `cannot append to the step outputs file ${c.outputPath}`, {
          cause: e,
          hint: 'GITHUB_OUTPUT must name a writable file (the runner sets it)',
        });
      }
    },
    async publishFailure(command, key, error) {
      // Reporting itself failed: saying so through the same channel would fail again.
      if (isCfgitopsError(error) && error.code === 'E_GITHUB') return;
      try {
        const c = await active();
        if (c === undefined) return;
        const errors = isCfgitopsError(error) ? errorList(error) : [];
        for (const e of errors) deps.err(`${errorAnnotation(e)}\n`);
        await write(c, key, failureMarkdown(command, key, errors));
      } catch (e) {
        const what = isCfgitopsError(e) ? `${e.code}: ${e.message}` : 'unexpected error';
        deps.err(`NOTE: could not report the failure to GitHub (${what}).\n`);
      }
    },
  };
}

function commentClient(c: GitHubContext, deps: GitHubReporterDeps): PrCommentClient {
  const token = deps.env['GITHUB_TOKEN'];
  if (token === undefined || token === '') {
    throw new CfgitopsError('E_GITHUB', '--pr-comment needs GITHUB_TOKEN in the environment', {
      hint: 'add `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` to the step, with `permissions: pull-requests: write`',
    });
  }
  if (c.repository === undefined) {
    throw new CfgitopsError('E_GITHUB', '--pr-comment needs GITHUB_REPOSITORY (owner/repo)', {
      hint: 'the Actions runner sets it; outside Actions, do not pass --pr-comment',
    });
  }
  return new PrCommentClient({
    apiUrl: c.apiUrl,
    repository: c.repository,
    token: new Secret(token),
    fetch: deps.fetch ?? ((input, init) => fetch(input, init)),
    clock: deps.clock,
  });
}

/** The summary/comment of a failed run: every error with its code and position, escaped (manifests are untrusted). */
export function failureMarkdown(command: string, key: string, errors: readonly CfgitopsError[]): string {
  const lines = [`### ❌ cfgitops ${command} failed: \`${escapeMarkdownText(key)}\``, ''];
  if (errors.length === 0) lines.push('The run failed with an unexpected error; see the job log.');
  for (const e of errors) {
    const where = e.location ? ` \`${escapeMarkdownText(formatLocation(e.location))}\`` : '';
    const hint = e.hint ? ` — ${escapeMarkdownText(e.hint)}` : '';
    lines.push(`- **${e.code}**${where}: ${escapeMarkdownText(e.message)}${hint}`);
  }
  return `${lines.join('\n')}\n`;
}
