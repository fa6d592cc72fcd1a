/**
 * `cfgitops drift [DIR]`: a refresh-only plan for scheduled jobs. Never writes (like `plan`). Exit 0 when live
 * matches the manifests and state, 2 when anything drifted, 3 when a managed token was revoked as exposed (a leaked
 * value: a scheduled job must page, not just report drift), 1 on error. The report is a header of findings followed
 * by the plan of corrections, rendered by the plan renderers.
 */
import { createApp, type App, type AppEnvironment } from '../../app.js';
import { asCfgitopsError, CfgitopsErrors, errorList } from '../../errors.js';
import { renderJson, unplannedPlan } from '../../planner/render-json.js';
import { scrub } from '../../planner/render-common.js';
import { escapeMarkdownText } from '../../github/step-summary.js';
import { driftWorkflow, type DriftReport } from '../../workflow/drift.js';
import type { PlanFormat } from '../options.js';
import { renderPlanAs } from '../render-plan.js';
import { githubSettings, type GitHubRequest } from '../../github/github-flags.js';
import { planAnnotations } from '../../github/plan-annotations.js';
import { parseAddressKey } from '../../kinds/registry.js';
import { displayAddress } from '../../resources.js';

export interface DriftCommandOptions {
  dir: string;
  format: PlanFormat;
  prune: boolean;
  emulator: boolean;
  github?: GitHubRequest;
}

export async function runDrift(app: App, request: DriftCommandOptions): Promise<number> {
  const options = { ...request, github: githubSettings(app, request.github) };
  try {
    const outcome = await driftWorkflow(app, {
      dir: options.dir,
      emulator: options.emulator,
      prune: options.prune,
    });
    if (outcome.kind === 'errors') throw new CfgitopsErrors(outcome.errors);
    const { report } = outcome;
    if (report.emulated) app.output.err(`NOTE: not talking to Cloudflare — using ${report.target}.\n`);
    app.output.out(renderDrift(options.format, report, app.output.color));
    await options.github?.publish({
      command: 'drift',
      key: options.dir,
      markdown: renderDrift('markdown', report, false),
      annotations: planAnnotations(report.plan, report.accounts),
    });
    // 3 before 2: an exposed token is an incident a scheduled job must page on, not one more drift.
    return report.exposed ? DRIFT_EXIT_EXPOSED : report.drifted ? 2 : 0;
  } catch (e) {
    // As for plan: `--format json` is one valid document whatever happened, the errors filled.
    if (options.format === 'json') {
      const errors = errorList(asCfgitopsError(e));
      const plan = renderJson(unplannedPlan(new Date(app.clock.now()).toISOString()), { errors });
      const body = {
        drifted: false,
        findings: [],
        plan: JSON.parse(plan) as unknown,
        errors: errors.map((x) => x.toJSON()),
      };
      app.output.out(scrub(`${JSON.stringify(body, null, 2)}\n`));
    }
    await options.github?.publishFailure('drift', options.dir, e);
    throw e;
  }
}

/** `drift`'s exit code when Cloudflare revoked a managed token as exposed (docs/ci.md, docs/token-lifecycle.md). */
export const DRIFT_EXIT_EXPOSED = 3;

export function renderDrift(format: PlanFormat, report: DriftReport, color: boolean): string {
  const plan = renderPlanAs(format, report.plan, {
    color,
    target: { describe: report.target, emulated: report.emulated, accounts: report.accounts },
  });
  if (format === 'json') {
    const body = {
      drifted: report.drifted,
      exposed: report.exposed,
      target: report.target,
      findings: report.findings,
      // Only when there are outgoing zone transfers: documents without them stay as they were.
      ...(report.transfers.length > 0 ? { transfers: report.transfers } : {}),
      plan: JSON.parse(plan) as unknown,
    };
    return `${JSON.stringify(body, null, 2)}\n`;
  }
  // People read the account by its alias, as in the plan below; JSON keeps the stable id address.
  const shown = (resource: string): string => {
    const address = parseAddressKey(resource);
    return address ? displayAddress(address, report.accounts) : resource;
  };
  const counts = new Map<string, number>();
  for (const f of report.findings) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  const tally = [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
  if (format === 'markdown') {
    const lines = [
      `### ${report.drifted ? '⚠️ cfgitops drift: differences found' : '✅ cfgitops drift: no drift'}`,
      '',
      `Checked against ${escapeMarkdownText(report.target)}.${tally ? ` Findings: ${tally}.` : ''}`,
    ];
    if (report.drifted) {
      lines.push('', '| drift | resource | correction | why |', '|---|---|---|---|');
      for (const f of report.findings) {
        lines.push(
          `| ${f.kind} | \`${escapeMarkdownText(shown(f.resource))}\` | ${f.action ?? '—'} | ${escapeMarkdownText(f.reason)} |`,
        );
      }
    }
    return `${lines.join('\n')}\n\n${plan}`;
  }
  const lines = [
    ...(report.exposed
      ? ['SECURITY: Cloudflare revoked managed token(s) as exposed (leaked values); see token-exposed below.']
      : []),
    report.drifted ? `Drift found (${tally}):` : `No drift: ${report.target} matches the manifests and state.`,
  ];
  // Field diffs are in the plan below; the findings say what kind of drift each one is.
  for (const f of report.findings) {
    lines.push(`  ${f.kind}: ${shown(f.resource)}${f.action ? ` → ${f.action}` : ''} — ${f.reason}`);
  }
  if (report.transfers.length > 0) lines.push('Outgoing zone transfers:');
  for (const t of report.transfers) {
    const serial = t.soa_serial !== undefined ? `, SOA serial ${t.soa_serial}` : '';
    const last = t.last_transferred_time !== undefined ? `, last transferred ${t.last_transferred_time}` : '';
    lines.push(`  ${t.name} (${t.zone_id}): ${t.status ?? 'status unknown'}${serial}${last}`);
  }
  return `${lines.join('\n')}\n${report.drifted ? `\n${plan}` : ''}`;
}

export async function driftCommand(environment: AppEnvironment, options: DriftCommandOptions): Promise<number> {
  // `--format json` on failure: runDrift prints its own document (the plan's shape, errors filled).
  return runDrift(createApp(environment), options);
}
