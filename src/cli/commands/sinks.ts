/**
 * `cfgitops sinks check [DIR] [--format text|json] [--github]`: is every configured secret sink reachable and writable? Writes
 * no secret and runs no `exec` command; exit 1 when any check fails, so CI can run it before the first apply.
 */
import { createApp, type App, type AppEnvironment } from '../../app.js';
import { CfgitopsError, CfgitopsErrors } from '../../errors.js';
import { githubSettings, type GitHubRequest } from '../../github/github-flags.js';
import type { Output } from '../../effects.js';
import { createSecretSinks } from '../../secrets/create-secret-sinks.js';
import { describeFailure } from '../../secrets/sink-error.js';
import type { SecretSinks } from '../../secrets/types.js';
import { loadManifestsFor } from '../../workflow/load.js';
import { withJsonFailure } from '../json-failure.js';
import type { TextOrJson } from '../options.js';

export interface SinkCheckReport {
  name: string;
  type: string;
  default: boolean;
  ok: boolean;
  detail: string;
}

/** Checks every sink (all of them, even after a failure) and prints one line each. Returns the exit code. */
export async function runSinksCheck(
  sinks: SecretSinks,
  options: { format: TextOrJson },
  output: Pick<Output, 'out'>,
  onReports?: (reports: readonly SinkCheckReport[]) => Promise<void>,
): Promise<number> {
  const reports = await Promise.all(
    sinks.names().map(async (name): Promise<SinkCheckReport> => {
      const sink = sinks.get(name);
      const result = await sink.check().catch((e: unknown) => ({ ok: false, detail: describeFailure(e) }));
      return { name, type: sink.type, default: name === sinks.defaultSink, ...result };
    }),
  );
  const ok = reports.every((r) => r.ok);
  await onReports?.(reports);
  if (options.format === 'json') {
    output.out(`${JSON.stringify({ ok, sinks: reports }, null, 2)}\n`);
  } else {
    const width = Math.max(...reports.map((r) => r.name.length + (r.default ? 10 : 0)));
    for (const r of reports) {
      const label = `${r.name}${r.default ? ' (default)' : ''}`.padEnd(width);
      output.out(`${r.ok ? 'ok  ' : 'FAIL'}  ${label}  ${r.detail}\n`);
    }
    const failed = reports.filter((r) => !r.ok).length;
    output.out(
      failed === 0 ? `${reports.length} sink(s) ready\n` : `${failed} of ${reports.length} sink(s) not ready\n`,
    );
  }
  return ok ? 0 : 1;
}

export interface SinksCheckRequest {
  dir: string;
  format: TextOrJson;
  /** `--github`: the result in the step summary, an annotation per failed sink. */
  github?: GitHubRequest;
}

/** Loads the config from DIR, builds the sinks (config errors throw) and checks them. */
export async function runSinksCheckCommand(
  app: App,
  options: { dir: string; format: TextOrJson },
  onReports?: (reports: readonly SinkCheckReport[]) => Promise<void>,
): Promise<number> {
  const manifests = await loadManifestsFor(app, options.dir);
  const sinks = createSecretSinks(manifests.config, { env: app.env, clock: app.clock, log: app.log, cwd: app.cwd });
  return runSinksCheck(sinks, { format: options.format }, app.output, onReports);
}

export async function sinksCheckCommand(environment: AppEnvironment, request: SinksCheckRequest): Promise<number> {
  const app = createApp(environment);
  const github = githubSettings(app, request.github);
  try {
    return await withJsonFailure(request.format === 'json', app.output, () =>
      runSinksCheckCommand(app, request, async (reports) => {
        const failed = reports.filter((r) => !r.ok);
        if (failed.length > 0) {
          await github?.publishFailure(
            'sinks check',
            request.dir,
            new CfgitopsErrors(
              failed.map(
                (r) => new CfgitopsError('E_SINK_CHECK', `sink ${r.name} (${r.type}) is not ready: ${r.detail}`),
              ),
            ),
          );
          return;
        }
        await github?.publish({
          command: 'sinks check',
          key: request.dir,
          markdown: `### ✅ cfgitops sinks check: ${reports.length} sink(s) ready\n`,
        });
      }),
    );
  } catch (e) {
    await github?.publishFailure('sinks check', request.dir, e);
    throw e;
  }
}
