import { describe, expect, test } from 'vitest';
import { defaultConfig, type ResolvedConfig } from '../../../src/config/types.js';
import { CfgitopsErrors } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { createSecretSinks } from '../../../src/secrets/create-secret-sinks.js';

const deps = { env: {}, clock: { now: () => 0, sleep: () => Promise.resolve() }, log: silentLogger(), cwd: '/repo' };

describe('createSecretSinks', () => {
  test('GIVEN the default config WHEN created THEN the local file sink is the default', () => {
    const sinks = createSecretSinks(defaultConfig(), deps);
    expect(sinks.defaultSink).toBe('local');
    expect(sinks.names()).toEqual(['local']);
    expect(sinks.get('local').type).toBe('file');
    expect(sinks.get('local').describe({ sink: 'local', key: 'ci' })).toBe('file .cfgitops/secrets.json#ci');
  });

  test('GIVEN an unknown name WHEN get THEN E_SINK_UNKNOWN', () => {
    expect(() => createSecretSinks(defaultConfig(), deps).get('vault')).toThrow(
      expect.objectContaining({ code: 'E_SINK_UNKNOWN' }),
    );
  });

  test('GIVEN a default sink that is not declared WHEN created THEN E_SINK_UNKNOWN', () => {
    const config: ResolvedConfig = { ...defaultConfig(), defaultSink: 'nope' };
    expect(() => createSecretSinks(config, deps)).toThrow(expect.objectContaining({ code: 'E_SINK_UNKNOWN' }));
  });

  test('GIVEN several broken sinks WHEN created THEN every problem is reported at once', () => {
    const config: ResolvedConfig = {
      ...defaultConfig(),
      sinks: {
        local: { type: 'file', path: 'x.json', format: 'json' },
        a: { type: 'age', path: 'a', recipients: ['bad'], layout: 'files' },
        g: { type: 'github-actions', repository: 'no-slash', tokenEnv: 'T', apiUrl: 'https://api.github.com' },
        e: { type: 'exec', command: [], timeoutSeconds: 1 },
      },
    };
    let caught: unknown;
    try {
      createSecretSinks(config, deps);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CfgitopsErrors);
    expect((caught as CfgitopsErrors).errors.map((e) => e.code)).toEqual(['E_CONFIG', 'E_CONFIG', 'E_CONFIG']);
  });
});
