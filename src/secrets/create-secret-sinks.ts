/**
 * Builds every sink declared in config (`spec.secrets.sinks.<name>`), validating each up front: a bad recipient or
 * URL must stop the run before a token is minted, not when its value has nowhere to go.
 */
import { spawn as nodeSpawn } from 'node:child_process';
import * as fsPromises from 'node:fs/promises';
import type { ResolvedConfig, SinkConfig } from '../config/types.js';
import { CREDENTIAL_ENV } from '../credential-env.js';
import { CfgitopsError, CfgitopsErrors } from '../errors.js';
import { AgeSink } from './age-sink.js';
import { ExecSink } from './exec-sink.js';
import { FileSink } from './file-sink.js';
import { GitHubActionsSink } from './github-actions-sink.js';
import { PathLocks } from './path-locks.js';
import type { SinkDeps } from './sink-deps.js';
import type { SecretSink, SecretSinks } from './types.js';

export function createSecretSinks(config: ResolvedConfig, deps: SinkDeps): SecretSinks {
  const locks = new PathLocks();
  const sinks = new Map<string, SecretSink>();
  const errors: CfgitopsError[] = [];
  for (const [name, sinkConfig] of Object.entries(config.sinks)) {
    try {
      sinks.set(name, createSink(name, sinkConfig, config, deps, locks));
    } catch (e) {
      if (!(e instanceof CfgitopsError)) throw e;
      errors.push(e);
    }
  }
  if (!(config.defaultSink in config.sinks)) {
    errors.push(
      new CfgitopsError('E_SINK_UNKNOWN', `the default sink "${config.defaultSink}" is not configured`, {
        hint: `configured sinks: ${[...Object.keys(config.sinks)].join(', ') || 'none'}`,
      }),
    );
  }
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new CfgitopsErrors(errors);
  return new ConfiguredSinks(sinks, config.defaultSink);
}

function createSink(name: string, c: SinkConfig, config: ResolvedConfig, deps: SinkDeps, locks: PathLocks): SecretSink {
  const fs = deps.fs ?? fsPromises;
  switch (c.type) {
    case 'file':
      return new FileSink({
        name,
        path: c.path,
        format: c.format,
        cwd: deps.cwd,
        fs,
        locks,
        log: deps.log,
        clock: deps.clock,
      });
    case 'age':
      return new AgeSink({
        name,
        path: c.path,
        recipients: c.recipients,
        layout: c.layout,
        cwd: deps.cwd,
        fs,
        locks,
        log: deps.log,
        clock: deps.clock,
      });
    case 'github-actions':
      return new GitHubActionsSink({
        name,
        repository: c.repository,
        environment: c.environment,
        tokenEnv: c.tokenEnv,
        apiUrl: c.apiUrl,
        env: deps.env,
        fetch: deps.fetch ?? ((input, init) => fetch(input, init)),
        clock: deps.clock,
        log: deps.log,
        timeoutMs: config.api.timeoutSeconds * 1000,
        deadlineMs: config.api.retry.deadlineSeconds * 1000,
      });
    case 'exec':
      return new ExecSink({
        name,
        command: c.command,
        timeoutSeconds: c.timeoutSeconds,
        env: deps.env,
        withheldEnv: withheldEnvNames(config),
        inheritEnv: c.inheritEnv ?? [],
        cwd: deps.cwd,
        fs,
        spawn: deps.spawn ?? nodeSpawn,
        clock: deps.clock,
        log: deps.log,
      });
  }
}

/** The variables an `exec` sink's command does not receive unless its `inheritEnv` lists them. */
export function withheldEnvNames(config: Pick<ResolvedConfig, 'sinks'>): string[] {
  const github = Object.values(config.sinks).flatMap((s) => (s.type === 'github-actions' ? [s.tokenEnv] : []));
  return [...new Set([...CREDENTIAL_ENV, ...github])];
}

class ConfiguredSinks implements SecretSinks {
  readonly #sinks: ReadonlyMap<string, SecretSink>;
  readonly defaultSink: string;

  constructor(sinks: ReadonlyMap<string, SecretSink>, defaultSink: string) {
    this.#sinks = sinks;
    this.defaultSink = defaultSink;
  }

  get(name: string): SecretSink {
    const sink = this.#sinks.get(name);
    if (sink) return sink;
    throw new CfgitopsError('E_SINK_UNKNOWN', `no sink named "${name}" is configured`, {
      hint: `add it under spec.secrets.sinks in the Config document, or use one of: ${this.names().join(', ')}`,
    });
  }

  names(): readonly string[] {
    return [...this.#sinks.keys()].sort();
  }
}
