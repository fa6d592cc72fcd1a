/**
 * `cfgitops validate [DIR] [--format text|json]`: load and check the manifests, offline. Every error is printed
 * (`error[CODE]: file:line:col /pointer message (hint)`) and the exit code is 1; else a one-line summary and 0.
 */
import type { Command } from 'commander';
import { systemClock, type Clock } from '../../effects.js';
import type { CfgitopsErrorJson } from '../../errors.js';
import { nodeManifestFs, readManifests, type ManifestFs } from '../../manifest/load-manifests.js';
import { secretScrubber } from '../../secret.js';
import { DEFAULT_DIR, formatOption } from '../options.js';
import type { CommandRegistrar } from '../registrar.js';
import { CfgitopsErrors } from '../../errors.js';
import { githubOptions, githubSettings } from '../../github/github-flags.js';
import type { GitHubReporter } from '../../github/github-reporter.js';
import { createApp } from '../../app.js';

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
  summary: string;
}

export async function runValidate(options: ValidateOptions, deps: ValidateDeps): Promise<number> {
  const result = await readManifests(options.dir, { fs: deps.fs, cwd: deps.cwd, now: deps.clock.now() });
  const { stats } = result;
  const valid = result.manifests !== undefined;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const summary = valid
    ? `${plural(stats.resources, 'resource')} in ${plural(stats.files, 'file')} valid (${plural(stats.accounts, 'account')})`
    : `${plural(result.errors.length, 'error')} in ${plural(stats.files, 'file')}`;
  if (options.format === 'json') {
    const body: ValidateJson = { valid, errors: result.errors.map((e) => e.toJSON()), summary };
    deps.out(`${JSON.stringify(body, null, 2)}\n`);
  } else if (valid) {
    deps.out(`${summary}\n`);
  } else {
    for (const e of result.errors) deps.err(`error[${e.code}]: ${e.format()}\n`);
    deps.err(`${summary}\n`);
  }
  if (valid) {
    await options.github?.publish({
      command: 'validate',
      key: options.dir,
      markdown: `### ✅ cfgitops validate: ${summary}\n`,
    });
  } else {
    await options.github?.publishFailure('validate', options.dir, new CfgitopsErrors(result.errors));
  }
  return valid ? 0 : 1;
}

export const registerValidate: CommandRegistrar = (program: Command, setExitCode, environment) => {
  githubOptions(program.command('validate'))
    .description('check the manifests offline: YAML, schemas, references, config (no network)')
    .argument('[dir]', 'directory of manifests', DEFAULT_DIR)
    .addOption(formatOption(['text', 'json'], 'text'))
    .action(async (dir: string, flags: { format: 'text' | 'json' } & Record<string, unknown>) => {
      const scrub = (s: string) => secretScrubber.scrub(s);
      const github = flags['github'] === true ? githubSettings(createApp(environment), flags) : undefined;
      const code = await runValidate(
        { dir, format: flags.format, ...(github ? { github } : {}) },
        {
          out: (s) => void environment.stdout.write(scrub(s)),
          err: (s) => void environment.stderr.write(scrub(s)),
          cwd: environment.cwd,
          clock: environment.clock ?? systemClock,
          fs: nodeManifestFs,
        },
      );
      setExitCode(code);
    });
};
