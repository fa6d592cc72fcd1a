/**
 * `cfgitops validate [DIR] [--format text|json]`: load and check the manifests, offline, and run every guardrail
 * of the Config's `policy` that needs no live data (docs/guardrails.md). Every error is printed
 * (`error[CODE]: file:line:col /pointer message (hint)`) and the exit code is 1; else a one-line summary and 0.
 * Guardrail violations are errors under `enforce`, warnings (`warning[W_POLICY_VIOLATION]: …`, exit 0) under `warn`
 * and `enforce-new` (offline, nobody knows which resources are new: the plan decides).
 */
import { systemClock, type Clock } from '../../effects.js';
import { formatLocation, type CfgitopsErrorJson, type SourceLocation } from '../../errors.js';
import { sortErrors } from '../../manifest/validate-manifests.js';
import { findingError, offlineGuardrails } from '../../planner/guardrail-mode.js';
import type { GuardrailFinding } from '../../planner/plan.js';
import { warningAnnotation } from '../../github/workflow-commands.js';
import { nodeManifestFs, readManifests, type ManifestFs } from '../../manifest/load-manifests.js';
import { secretScrubber } from '../../secret.js';
import { CfgitopsErrors } from '../../errors.js';
import type { GitHubRequest } from '../../github/github-flags.js';
import type { GitHubReporter } from '../../github/github-reporter.js';
import type { AppEnvironment } from '../../app.js';

export interface ValidateDeps {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
  clock: Clock;
  fs: ManifestFs;
}

export interface ValidateOptions {
  dir: string;
  format: 'text' | 'json';
  /** `--github`: annotations for each error, and the result in the step summary. */
  github?: GitHubReporter;
}

export interface ValidateJson {
  valid: boolean;
  errors: CfgitopsErrorJson[];
  /** Guardrail violations that do not fail validation (mode warn or enforce-new). */
  warnings: ValidateWarningJson[];
  summary: string;
}

export interface ValidateWarningJson {
  code: 'W_POLICY_VIOLATION';
  message: string;
  location: SourceLocation;
  hint: string;
}

export async function runValidate(options: ValidateOptions, deps: ValidateDeps): Promise<number> {
  const now = deps.clock.now();
  const result = await readManifests(options.dir, { fs: deps.fs, cwd: deps.cwd, now });
  const { stats } = result;
  const findings = result.checkable
    ? offlineGuardrails(result.checkable.resources, result.checkable.config.policy, now)
    : [];
  const errors = sortErrors([...result.errors, ...findings.filter(isError).map(findingError)]);
  const warnings = findings.filter((f) => !isError(f)).map(warningJson);
  const valid = result.manifests !== undefined && errors.length === 0;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const warned = warnings.length > 0 ? `; ${plural(warnings.length, 'guardrail warning')}` : '';
  const summary = valid
    ? `${plural(stats.resources, 'resource')} in ${plural(stats.files, 'file')} valid (${plural(stats.accounts, 'account')})${warned}`
    : `${plural(errors.length, 'error')} in ${plural(stats.files, 'file')}${warned}`;
  if (options.format === 'json') {
    const body: ValidateJson = { valid, errors: errors.map((e) => e.toJSON()), warnings, summary };
    deps.out(`${JSON.stringify(body, null, 2)}\n`);
  } else {
    for (const e of errors) deps.err(`error[${e.code}]: ${e.format()}\n`);
    for (const w of warnings) deps.err(`warning[${w.code}]: ${formatLocation(w.location)} ${w.message} (${w.hint})\n`);
    if (valid) deps.out(`${summary}\n`);
    else deps.err(`${summary}\n`);
  }
  const annotations = warnings.map((w) => warningAnnotation({ ...w, source: w.location }));
  if (valid) {
    await options.github?.publish({
      command: 'validate',
      key: options.dir,
      markdown: `### ✅ cfgitops validate: ${summary}\n`,
      annotations,
    });
  } else {
    await options.github?.publishFailure('validate', options.dir, new CfgitopsErrors(errors));
  }
  return valid ? 0 : 1;
}

function isError(f: GuardrailFinding): boolean {
  return f.severity === 'error';
}

function warningJson(f: GuardrailFinding): ValidateWarningJson {
  return { code: 'W_POLICY_VIOLATION', message: f.message, location: f.location, hint: f.hint };
}

/** What the command line asked for (../grammar/validate.ts). */
export interface ValidateRequest extends Omit<ValidateOptions, 'github'> {
  github?: GitHubRequest;
}

export async function validateCommand(environment: AppEnvironment, request: ValidateRequest): Promise<number> {
  const scrub = (s: string) => secretScrubber.scrub(s);
  // The App (and with it the GitHub client) only with --github: a plain validate loads just the manifest loader.
  const github =
    request.github === undefined
      ? undefined
      : await import('../../app.js').then(async ({ createApp }) =>
          (await import('../../github/github-flags.js')).githubSettings(createApp(environment), request.github),
        );
  return runValidate(
    { dir: request.dir, format: request.format, ...(github ? { github } : {}) },
    {
      out: (s) => void environment.stdout.write(scrub(s)),
      err: (s) => void environment.stderr.write(scrub(s)),
      cwd: environment.cwd,
      clock: environment.clock ?? systemClock,
      fs: nodeManifestFs,
    },
  );
}
