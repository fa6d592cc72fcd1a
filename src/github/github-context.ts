/**
 * What a run inside GitHub Actions learns from its environment: the runner's files, the repository, the API URL
 * and the pull request being built. Read once, from the injected env and file reader.
 */
import { CfgitopsError } from '../errors.js';

export interface GitHubContext {
  /** GITHUB_ACTIONS=true */
  actions: boolean;
  summaryPath?: string;
  /** `$GITHUB_OUTPUT`: the step's outputs file (`name=value` lines). */
  outputPath?: string;
  /** `owner/repo` */
  repository?: string;
  apiUrl: string;
  /** The pull request number: `--pr N`, else the event payload's. */
  pr?: number;
}

export const DEFAULT_GITHUB_API_URL = 'https://api.github.com';

export async function readGitHubContext(
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => Promise<string>,
  explicitPr?: number,
): Promise<GitHubContext> {
  const summaryPath = nonEmpty(env['GITHUB_STEP_SUMMARY']);
  const outputPath = nonEmpty(env['GITHUB_OUTPUT']);
  const repository = nonEmpty(env['GITHUB_REPOSITORY']);
  const pr = explicitPr ?? (await prFromEvent(nonEmpty(env['GITHUB_EVENT_PATH']), readFile));
  return {
    actions: env['GITHUB_ACTIONS'] === 'true',
    apiUrl: nonEmpty(env['GITHUB_API_URL']) ?? DEFAULT_GITHUB_API_URL,
    ...(summaryPath !== undefined ? { summaryPath } : {}),
    ...(outputPath !== undefined ? { outputPath } : {}),
    ...(repository !== undefined ? { repository } : {}),
    ...(pr !== undefined ? { pr } : {}),
  };
}

/** `pull_request.number` (pull_request and pull_request_target events), else `issue.number` (PR comment events). */
async function prFromEvent(
  path: string | undefined,
  readFile: (path: string) => Promise<string>,
): Promise<number | undefined> {
  if (path === undefined) return undefined;
  let event: unknown;
  try {
    event = JSON.parse(await readFile(path));
  } catch (e) {
    throw new CfgitopsError('E_GITHUB', `cannot read the GitHub event payload ${path}`, {
      cause: e,
      hint: 'GITHUB_EVENT_PATH must name the JSON event file the runner wrote; or pass --pr N',
    });
  }
  const o = event as { pull_request?: { number?: unknown }; issue?: { number?: unknown; pull_request?: unknown } };
  const n = o.pull_request?.number ?? (o.issue?.pull_request !== undefined ? o.issue.number : undefined);
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

export function parsePrNumber(text: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new CfgitopsError('E_USAGE', `--pr takes a pull request number, not "${text}"`);
  }
  return n;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}
