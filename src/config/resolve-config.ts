/**
 * The schema-valid `spec` of a `kind: Config` document → ResolvedConfig, with defaults from defaultConfig() (the one
 * place defaults live; the schema descriptions repeat them for readers). Pure.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { CfgitopsError, type SourceLocation } from '../errors.js';
import type { configSpecSchema } from '../manifest/schemas/config-schema.js';
import { didYouMeanHint } from '../manifest/did-you-mean.js';
import { rotationPolicyProblem } from './rotation-problem.js';
import {
  DEFAULT_SINK_NAME,
  defaultConfig,
  type ResolvedConfig,
  type RotationPolicy,
  type SinkConfig,
} from './types.js';

export type ConfigSpec = FromSchema<typeof configSpecSchema>;
type RawSink = NonNullable<NonNullable<ConfigSpec['secrets']>['sinks']>[string];

export const SINK_DEFAULTS = {
  fileFormat: 'json',
  ageLayout: 'files',
  execTimeoutSeconds: 30,
  githubTokenEnv: 'GITHUB_TOKEN',
  githubApiUrl: 'https://api.github.com',
} as const;

export interface ConfigResolution {
  config: ResolvedConfig;
  errors: CfgitopsError[];
}

export function resolveConfig(
  spec: ConfigSpec | undefined,
  locate: (pointer: string) => SourceLocation = () => ({ file: '(defaults)', line: 1, col: 1 }),
  source?: SourceLocation,
): ConfigResolution {
  const d = defaultConfig();
  const errors: CfgitopsError[] = [];
  const s = spec ?? {};
  const sinks = s.secrets?.sinks ? mapSinks(s.secrets.sinks) : d.sinks;
  const names = Object.keys(sinks);
  const defaultSink =
    s.secrets?.default ?? (names.includes(DEFAULT_SINK_NAME) || names.length !== 1 ? DEFAULT_SINK_NAME : names[0]!);
  if (!(defaultSink in sinks)) {
    const pointer = s.secrets?.default !== undefined ? '/spec/secrets/default' : '/spec/secrets';
    errors.push(
      new CfgitopsError('E_CONFIG', `default sink ${defaultSink} is not among the configured sinks`, {
        location: locate(pointer),
        hint: didYouMeanHint(defaultSink, names) ?? `set secrets.default to one of: ${names.join(', ')}`,
      }),
    );
  }
  const retry = { ...d.api.retry, ...s.api?.retry };
  if (retry.minTimeoutMs > retry.maxTimeoutMs) {
    errors.push(
      new CfgitopsError('E_CONFIG', 'retry.minTimeoutMs is larger than retry.maxTimeoutMs', {
        location: locate('/spec/api/retry/minTimeoutMs'),
        hint: 'make minTimeoutMs at most maxTimeoutMs',
      }),
    );
  }
  const rotationProblem = rotationPolicyProblem(resolveRotation(d.tokens.rotation, s.tokens?.rotation));
  if (rotationProblem !== undefined) {
    errors.push(
      new CfgitopsError('E_CONFIG', rotationProblem, {
        location: locate('/spec/tokens/rotation/grace'),
        hint: 'make tokens.rotation.grace shorter than tokens.rotation.every: a token has at most one predecessor',
      }),
    );
  }
  const state: ResolvedConfig['state'] =
    s.state === undefined
      ? d.state
      : s.state.backend === 'file'
        ? { backend: 'file', path: s.state.path ?? (d.state.backend === 'file' ? d.state.path : '') }
        : {
            backend: 'postgres',
            workspace: s.state.workspace,
            ...(s.state.url !== undefined ? { url: s.state.url } : {}),
            ...(s.state.ssl !== undefined ? { ssl: s.state.ssl } : {}),
          };
  const config: ResolvedConfig = {
    ...(source ? { source } : {}),
    accounts: { ...s.accounts },
    zones: { ...s.zones },
    state,
    sinks,
    defaultSink,
    prune: s.prune ?? d.prune,
    ...(s.suspend === true ? { suspend: true as const } : {}),
    maxDeleteShare: s.deletes?.maxShare ?? d.maxDeleteShare,
    tokens: { ...d.tokens, ...s.tokens, rotation: resolveRotation(d.tokens.rotation, s.tokens?.rotation) },
    api: {
      concurrency: s.api?.concurrency ?? d.api.concurrency,
      rateLimit: { ...d.api.rateLimit, ...s.api?.rateLimit },
      retry,
      timeoutSeconds: s.api?.timeoutSeconds ?? d.api.timeoutSeconds,
    },
    lockTimeoutSeconds: s.lock?.timeoutSeconds ?? d.lockTimeoutSeconds,
    policy: { ...d.policy, ...s.policy },
  };
  return { config, errors };
}

type RawRotation = NonNullable<ConfigSpec['tokens']>['rotation'];

/** The default policy with the written fields over it; `every: never` is the same as leaving it out. */
function resolveRotation(base: RotationPolicy, raw: RawRotation): RotationPolicy {
  const every = raw?.every ?? base.every;
  return {
    ...(every !== undefined && every !== 'never' ? { every } : {}),
    strategy: raw?.strategy ?? base.strategy,
    grace: raw?.grace ?? base.grace,
  };
}

function mapSinks(raw: Record<string, RawSink>): Record<string, SinkConfig> {
  const out: Record<string, SinkConfig> = {};
  for (const [name, sink] of Object.entries(raw)) out[name] = mapSink(sink);
  return out;
}

function mapSink(sink: RawSink): SinkConfig {
  switch (sink.type) {
    case 'file':
      return { type: 'file', path: sink.path, format: sink.format ?? SINK_DEFAULTS.fileFormat };
    case 'exec':
      return {
        type: 'exec',
        command: sink.command,
        timeoutSeconds: sink.timeoutSeconds ?? SINK_DEFAULTS.execTimeoutSeconds,
        // Absent unless set, so configs that predate it keep their digest (and recorded snapshot).
        ...(sink.inheritEnv !== undefined && sink.inheritEnv.length > 0 ? { inheritEnv: [...sink.inheritEnv] } : {}),
      };
    case 'age':
      return {
        type: 'age',
        path: sink.path,
        recipients: sink.recipients,
        layout: sink.layout ?? SINK_DEFAULTS.ageLayout,
      };
    case 'github-actions':
      return {
        type: 'github-actions',
        repository: sink.repository,
        ...(sink.environment !== undefined ? { environment: sink.environment } : {}),
        tokenEnv: sink.tokenEnv ?? SINK_DEFAULTS.githubTokenEnv,
        apiUrl: sink.apiUrl ?? SINK_DEFAULTS.githubApiUrl,
      };
  }
}
