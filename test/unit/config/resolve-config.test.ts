import { describe, expect, test } from 'vitest';
import { configDigest } from '../../../src/config/config-digest.js';
import { resolveConfig } from '../../../src/config/resolve-config.js';
import { defaultConfig } from '../../../src/config/types.js';

describe('resolveConfig', () => {
  test('GIVEN no Config document WHEN resolved THEN it is exactly defaultConfig()', () => {
    expect(resolveConfig(undefined)).toEqual({ config: defaultConfig(), errors: [] });
    expect(resolveConfig({})).toEqual({ config: defaultConfig(), errors: [] });
  });

  test('GIVEN every section WHEN resolved THEN it maps onto ResolvedConfig with per-field defaults', () => {
    const { config, errors } = resolveConfig({
      accounts: { main: '0123456789abcdef0123456789abcdef' },
      state: { backend: 'postgres', workspace: 'prod', ssl: true },
      secrets: {
        default: 'vault',
        sinks: {
          vault: { type: 'exec', command: ['vault', 'kv', 'put'] },
          repo: { type: 'age', path: 'secrets', recipients: ['age1qqqq'] },
          gh: { type: 'github-actions', repository: 'o/r' },
          local: { type: 'file', path: 's.env', format: 'dotenv' },
        },
      },
      prune: true,
      deletes: { maxShare: 0.5 },
      tokens: { onExpired: 'roll' },
      api: { concurrency: 2, rateLimit: { requests: 100 }, retry: { retries: 1 } },
      lock: { timeoutSeconds: 30 },
      policy: { tokenMaxLifetimeDays: 90 },
    });
    expect(errors).toEqual([]);
    expect(config).toMatchObject({
      state: { backend: 'postgres', workspace: 'prod', ssl: true },
      defaultSink: 'vault',
      sinks: {
        vault: { type: 'exec', command: ['vault', 'kv', 'put'], timeoutSeconds: 30 },
        repo: { type: 'age', path: 'secrets', recipients: ['age1qqqq'], layout: 'files' },
        gh: { type: 'github-actions', repository: 'o/r', tokenEnv: 'GITHUB_TOKEN', apiUrl: 'https://api.github.com' },
        local: { type: 'file', path: 's.env', format: 'dotenv' },
      },
      prune: true,
      maxDeleteShare: 0.5,
      tokens: { onExpired: 'roll', onRevoked: 'recreate' },
      api: {
        concurrency: 2,
        rateLimit: { requests: 100, windowSeconds: 300 },
        retry: { retries: 1, minTimeoutMs: 500 },
      },
      lockTimeoutSeconds: 30,
      policy: { tokenMaxLifetimeDays: 90 },
    });
  });

  test.each([
    ['a default sink that is not configured', { secrets: { default: 'nope' } }, '/spec/secrets/default'],
    [
      'several sinks and no default',
      { secrets: { sinks: { a: { type: 'file' as const, path: 'a' }, b: { type: 'file' as const, path: 'b' } } } },
      '/spec/secrets',
    ],
    ['retry min above max', { api: { retry: { minTimeoutMs: 10, maxTimeoutMs: 5 } } }, '/spec/api/retry/minTimeoutMs'],
  ])('GIVEN %s WHEN resolved THEN E_CONFIG at %s', (_name, spec, pointer) => {
    const { errors } = resolveConfig(spec, (p) => ({ file: 'c.yaml', line: 1, col: 1, pointer: p }));
    expect(errors.map((e) => [e.code, e.location?.pointer])).toEqual([['E_CONFIG', pointer]]);
  });

  test.each<[string, string[] | undefined, Record<string, unknown>]>([
    ['no inheritEnv', undefined, {}],
    ['an empty inheritEnv', [], {}],
    ['inheritEnv', ['CLOUDFLARE_API_TOKEN'], { inheritEnv: ['CLOUDFLARE_API_TOKEN'] }],
  ])('GIVEN an exec sink with %s WHEN resolved THEN inheritEnv is kept only when it names something', (_w, v, want) => {
    const { config } = resolveConfig({
      secrets: { sinks: { vault: { type: 'exec', command: ['vault'], ...(v ? { inheritEnv: v } : {}) } } },
    });
    expect(config.sinks['vault']).toEqual({ type: 'exec', command: ['vault'], timeoutSeconds: 30, ...want });
  });

  test('GIVEN a single sink without default WHEN resolved THEN it is the default', () => {
    const { config } = resolveConfig({ secrets: { sinks: { only: { type: 'file', path: 'x' } } } });
    expect(config.defaultSink).toBe('only');
  });
});

describe('configDigest', () => {
  test('GIVEN the same config with keys in another order or another source THEN the digest is the same', () => {
    const a = defaultConfig();
    const b = { ...defaultConfig(), source: { file: 'x.yaml', line: 3, col: 1 } };
    const reordered = Object.fromEntries(Object.entries(defaultConfig()).reverse()) as typeof a;
    expect(configDigest(b)).toBe(configDigest(a));
    expect(configDigest(reordered)).toBe(configDigest(a));
  });

  test('GIVEN a changed setting THEN the digest changes', () => {
    expect(configDigest({ ...defaultConfig(), prune: true })).not.toBe(configDigest(defaultConfig()));
  });
});
