/**
 * `cfgitops import KIND NAME ID [DIR]`: record an existing Cloudflare resource as the declared resource NAME.
 * `--format json` prints one document (also on failure); `--github` puts the result in the step summary.
 * Exit 0 when recorded (and, with --roll, rolled and delivered), 1 otherwise.
 */
import { createApp, type App, type AppEnvironment } from '../../app.js';
import { githubSettings, type GitHubRequest } from '../../github/github-flags.js';
import { addressKey, displayAddress } from '../../resources.js';
import { importWorkflow, parseKind, type ImportOutcome } from '../../workflow/import.js';
import { handleInterrupts, interruptedNotice } from '../interrupt.js';
import { withJsonFailure } from '../json-failure.js';
import type { TextOrJson } from '../options.js';
import { applyResultJson, renderApplyResult, type ApplyResultJson } from '../render-apply-result.js';

export interface ImportCommandOptions {
  kind: string;
  name: string;
  id: string;
  dir: string;
  roll: boolean;
  format: TextOrJson;
  emulator: boolean;
  lockTimeoutSeconds?: number;
  github?: GitHubRequest;
}

/** `import --format json`. */
export interface ImportJson {
  ok: boolean;
  target: string;
  imported: { address: string; kind: string; id: string; cf_name: string; value_status?: string };
  /** With --roll: the roll's result, as `apply --format json` reports steps. */
  roll?: ApplyResultJson;
  interrupted?: string;
  next: string;
}

export async function importCommand(environment: AppEnvironment, options: ImportCommandOptions): Promise<number> {
  const app = createApp(environment);
  const github = githubSettings(app, options.github);
  try {
    return await withJsonFailure(options.format === 'json', app.output, async () => {
      const { code, text } = await runImport(app, options);
      await github?.publish({
        command: 'import',
        key: `${options.kind}/${options.name}`,
        markdown: `### ${code === 0 ? '✅' : '❌'} cfgitops import\n\n\`\`\`\`text\n${text.replaceAll('````', '```')}\`\`\`\`\n`,
      });
      return code;
    });
  } catch (e) {
    await github?.publishFailure('import', `${options.kind}/${options.name}`, e);
    throw e;
  }
}

export async function runImport(app: App, options: ImportCommandOptions): Promise<{ code: number; text: string }> {
  const kind = parseKind(options.kind);
  const interrupt = handleInterrupts(app.output, 'import');
  let outcome: ImportOutcome;
  try {
    outcome = await importWorkflow(app, {
      kind,
      name: options.name,
      id: options.id,
      dir: options.dir,
      roll: options.roll,
      emulator: options.emulator,
      ...(options.lockTimeoutSeconds !== undefined ? { lockTimeoutSeconds: options.lockTimeoutSeconds } : {}),
      signal: interrupt.signal,
    });
  } finally {
    interrupt.dispose();
  }
  const by = interrupt.interruptedBy();
  if (by !== undefined) app.output.err(interruptedNotice(by, 'apply'));
  const ok = (outcome.roll === undefined || outcome.roll.ok) && by === undefined;
  const text = importText(outcome, kind, by);
  if (options.format === 'json') {
    const body: ImportJson = {
      ok,
      target: outcome.target,
      imported: {
        address: addressKey(outcome.record),
        kind: outcome.record.kind,
        id: outcome.record.id,
        cf_name: outcome.liveName,
        ...(outcome.record.value_status !== undefined ? { value_status: outcome.record.value_status } : {}),
      },
      ...(outcome.roll
        ? {
            roll: applyResultJson('applied', outcome.target, outcome.roll, by !== undefined ? { interrupted: by } : {}),
          }
        : {}),
      ...(by !== undefined ? { interrupted: by } : {}),
      next: nextStep(outcome, kind),
    };
    app.output.out(`${JSON.stringify(body, null, 2)}\n`);
  } else {
    app.output.out(text);
  }
  return { code: ok ? 0 : 1, text };
}

function importText(outcome: ImportOutcome, kind: string, by: string | undefined): string {
  const lines = [
    `Imported ${outcome.record.id} ("${outcome.liveName}") as ${displayAddress(outcome.record, outcome.accounts)} in ${outcome.target}.\n`,
  ];
  if (outcome.roll) lines.push(renderApplyResult(outcome.roll));
  else if (by === undefined) lines.push(`${nextStep(outcome, kind)}\n`);
  return lines.join('');
}

/** What happens to the imported resource next, in words. */
function nextStep(outcome: ImportOutcome, kind: string): string {
  const plan = 'Run `cfgitops plan` to see any difference between the manifest and the live resource.';
  if (outcome.roll) return plan;
  if (outcome.record.value_status === 'external') {
    return (
      'Its value stays where it is (tokens.onAdopt: keep): cfgitops records it as external and never rolls it on ' +
      `its own. \`cfgitops rotate\` rolls it (same id, new value) into its sink when you are ready.\n${plan}`
    );
  }
  if (kind === 'AccountToken') {
    return (
      'Its value cannot be read back from Cloudflare, so it is recorded as undelivered: the next apply rolls it ' +
      `(same id, new value) into its sink. Use --roll to do that now.\n${plan}`
    );
  }
  return plan;
}
