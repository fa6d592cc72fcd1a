/**
 * `cfgitops export [DIR] [--account ALIAS|ID …] [--kind KIND …] [--out DIR] [--tsig-secrets env|file]
 * [--format text|json]`: write manifests for the live resources cfgitops does not manage yet. Exit 0 when done
 * (also when there was nothing new), 1 on error. The manifests are always YAML (what the loader reads); `--format`
 * chooses the report, like every other command.
 */
import { createApp, type App, type AppEnvironment } from '../../app.js';
import { ANNOTATION_ON_ADOPT } from '../../resources.js';
import { exportWorkflow, type ExportOutcome } from '../../workflow/export.js';
import type { TsigSecretSource } from '../../workflow/export-kinds.js';
import { withJsonFailure } from '../json-failure.js';
import { announceTarget } from './plan.js';

export interface ExportCommandOptions {
  dir: string;
  out?: string;
  accounts: string[];
  kinds: string[];
  tsigSecrets: TsigSecretSource;
  format: 'text' | 'json';
  emulator: boolean;
}

export async function runExport(app: App, options: ExportCommandOptions): Promise<number> {
  const outcome = await exportWorkflow(app, {
    dir: options.dir,
    ...(options.out !== undefined ? { out: options.out } : {}),
    accounts: options.accounts,
    kinds: options.kinds,
    tsigSecrets: options.tsigSecrets,
    emulator: options.emulator,
    onTarget: (target) => {
      announceTarget(app, target);
    },
  });
  app.output.out(options.format === 'json' ? renderExportJson(outcome) : renderExportText(outcome, options.dir));
  return 0;
}

export function renderExportJson(o: ExportOutcome): string {
  const body = {
    target: o.target,
    accounts: o.accounts,
    files: o.files,
    exported: o.exported.map((r) => ({
      kind: r.kind,
      account: r.accountRef,
      name: r.name,
      id: r.id,
      cf_name: r.cfName,
    })),
    skipped: o.skipped.map((s) => ({
      kind: s.kind,
      account: s.account,
      id: s.id,
      cf_name: s.cfName,
      reason: s.reason,
      ...(s.error ? { error: s.error } : {}),
    })),
    managed: o.managed,
    secrets: o.secrets,
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

export function renderExportText(o: ExportOutcome, dir: string): string {
  const lines: string[] = [];
  const accounts = o.accounts.map((a) => (a.ref === a.account ? a.account : `${a.ref} (${a.account})`)).join(', ');
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (o.exported.length === 0) {
    lines.push(`Nothing new to export from ${accounts}: every live resource is managed or declared already.`);
  } else {
    lines.push(`Exported ${plural(o.exported.length, 'resource')} from ${accounts}:`);
    for (const f of o.files) {
      const what = `(${f.resources} ${f.kind})`;
      const verb = f.action === 'append' ? 'added to' : 'wrote';
      const beside =
        f.leftAlone.length > 0
          ? `: ${f.leftAlone.join(', ')} ${f.leftAlone.length === 1 ? 'was' : 'were'} edited, so export left it alone`
          : '';
      lines.push(`  ${verb} ${f.path} ${what}${beside}`);
    }
  }
  if (o.managed > 0) lines.push(`${plural(o.managed, 'live resource')} already managed by cfgitops: not exported.`);
  if (o.skipped.length > 0) {
    lines.push(`Not exported (${o.skipped.length}):`);
    for (const s of o.skipped) lines.push(`  ${s.kind} "${s.cfName}" (id ${s.id}): ${s.reason}`);
  }
  if (o.secrets.length > 0) {
    lines.push(
      '',
      'Export never writes TSIG secrets. Before `cfgitops plan`, provide each one as your primary nameservers have it' +
        (o.secrets.some((s) => s.fromFile !== undefined)
          ? ' (keep secret files out of git, e.g. in .gitignore):'
          : ':'),
    );
    for (const s of o.secrets) {
      lines.push(
        s.fromEnv !== undefined
          ? `  export ${s.fromEnv}=…   # SecondaryDnsTsig ${s.account}/${s.tsig}`
          : `  ${s.fromFile ?? ''}   # a file holding the secret of SecondaryDnsTsig ${s.account}/${s.tsig}`,
      );
    }
  }
  if (o.exported.some((r) => r.kind === 'AccountToken')) {
    lines.push(
      '',
      `Exported tokens carry ${ANNOTATION_ON_ADOPT}: keep: adopting them leaves their values where they are used today ` +
        '(no roll). `cfgitops rotate NAME` moves one into its sink when you are ready.',
    );
  }
  if (o.exported.length > 0) {
    lines.push(
      '',
      `Next: review the files, run \`cfgitops plan ${dir}\` (adoptions only, no change in Cloudflare), open a pull ` +
        'request, and apply on merge.',
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function exportCommand(environment: AppEnvironment, options: ExportCommandOptions): Promise<number> {
  const app = createApp(environment);
  return withJsonFailure(options.format === 'json', app.output, () => runExport(app, options));
}
