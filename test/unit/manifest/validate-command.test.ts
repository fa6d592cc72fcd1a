import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { runValidate, type ValidateJson } from '../../../src/cli/commands/validate.js';
import { nodeManifestFs } from '../../../src/manifest/load-manifests.js';
import { memoryFs } from './memory-fs.js';

const clock = { now: () => Date.parse('2026-06-01T00:00:00Z'), sleep: () => Promise.resolve() };

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) } };
}

describe('cfgitops validate', () => {
  test('GIVEN the shipped example WHEN validated THEN a one-line summary and exit 0', async () => {
    const c = capture();
    const repo = path.resolve(import.meta.dirname, '../../..');
    const code = await runValidate(
      { dir: 'desired-state', format: 'text' },
      { ...c.io, cwd: repo, clock, fs: nodeManifestFs },
    );
    expect(code).toBe(0);
    expect(c.out.join('')).toBe('6 resources in 4 files valid (1 account)\n');
    expect(c.err).toEqual([]);
  });

  const broken = memoryFs({
    '/w/m/a.yaml': 'apiVersion: cfgitops.dev/v1\nkind: AccountTokens\n',
    '/w/m/b.yaml': 'a: 1\na: 2\n',
  });

  test('GIVEN broken manifests WHEN validated as text THEN every error is printed with code and place, exit 1', async () => {
    const c = capture();
    const code = await runValidate({ dir: 'm', format: 'text' }, { ...c.io, cwd: '/w', clock, fs: broken });
    expect(code).toBe(1);
    const lines = c.err.join('').trim().split('\n');
    expect(lines[0]).toMatch(/^error\[E_UNKNOWN_KIND\]: m\/a\.yaml:2:7 \/kind /);
    expect(lines[1]).toMatch(/^error\[E_YAML_DUPLICATE_KEY\]: m\/b\.yaml:2:1 /);
    expect(lines).toHaveLength(3);
  });

  test('GIVEN broken manifests WHEN validated as json THEN {valid, errors, summary} with locations', async () => {
    const c = capture();
    const code = await runValidate({ dir: 'm', format: 'json' }, { ...c.io, cwd: '/w', clock, fs: broken });
    expect(code).toBe(1);
    const body = JSON.parse(c.out.join('')) as ValidateJson;
    expect(body.valid).toBe(false);
    expect(body.errors.map((e) => [e.code, e.location?.file, e.location?.line, e.location?.col])).toEqual([
      ['E_UNKNOWN_KIND', 'm/a.yaml', 2, 7],
      ['E_YAML_DUPLICATE_KEY', 'm/b.yaml', 2, 1],
    ]);
    expect(typeof body.summary).toBe('string');
  });
});
