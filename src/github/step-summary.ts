/**
 * `$GITHUB_STEP_SUMMARY`: a file the runner renders as Markdown on the run's summary page. Appended to, since
 * every step of a job shares it (validate and plan both add their section).
 */
import { appendFile } from 'node:fs/promises';
import { CfgitopsError } from '../errors.js';
import { secretScrubber } from '../secret.js';

/** GitHub refuses a step summary over 1 MiB; stay well under it and say what was cut. */
export const SUMMARY_LIMIT = 900 * 1024;

export async function appendStepSummary(path: string, markdown: string): Promise<void> {
  const text = truncateMarkdown(secretScrubber.scrub(markdown), SUMMARY_LIMIT);
  try {
    await appendFile(path, text.endsWith('\n') ? `${text}\n` : `${text}\n\n`);
  } catch (e) {
    throw new CfgitopsError('E_GITHUB', `cannot append to the step summary file ${path}`, {
      cause: e,
      hint: 'GITHUB_STEP_SUMMARY must name a writable file (the runner sets it)',
    });
  }
}

/** Cuts at a line boundary under `limit` characters and says so, so a huge plan still renders. */
export function truncateMarkdown(markdown: string, limit: number): string {
  if (markdown.length <= limit) return markdown;
  const note = '\n\n… (truncated: the full plan is in the job log)\n';
  const cut = markdown.lastIndexOf('\n', limit - note.length);
  return markdown.slice(0, cut > 0 ? cut : limit - note.length) + note;
}

/** Escapes text for inclusion in Markdown/HTML: a manifest must not be able to inject markup or hidden comments. */
export function escapeMarkdownText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('|', '\\|');
}
