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
    expect(c.out.join('')).toBe('7 resources in 5 files valid (1 account)\n');
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

  const guarded = (policy: string) =>
    memoryFs({
      '/w/g/cfgitops.yaml': `apiVersion: cfgitops.dev/v1\nkind: Config\nspec:\n  policy:\n${policy}`,
      '/w/g/peers.yaml': [
        'apiVersion: cfgitops.dev/v1',
        'kind: SecondaryDnsPeer',
        'metadata: {name: ns1, account: 0123456789abcdef0123456789abcdef}',
        'spec: {name: ns1.example.com, ip: 192.0.2.53, port: 5353}',
        '---',
        'apiVersion: cfgitops.dev/v1',
        'kind: SecondaryDnsPeer',
        'metadata: {name: ns2, account: 0123456789abcdef0123456789abcdef}',
        'spec: {name: ns2.example.com, ip: 192.0.2.54, port: [53]}',
        '',
      ].join('\n'),
    });

  test('GIVEN an enforced guardrail WHEN validated THEN its violation is an error beside the schema error of another document, in one pass', async () => {
    const c = capture();
    const fs = guarded('    peerAllowedPorts: [53]\n');
    const code = await runValidate({ dir: 'g', format: 'text' }, { ...c.io, cwd: '/w', clock, fs });
    expect(code).toBe(1);
    const lines = c.err.join('').trim().split('\n');
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^error\[E_POLICY_VIOLATION\]: g\/peers\.yaml:4:\d+ \/spec\/port peer "ns1\.example\.com" port 5353 is not allowed/,
      ),
    );
    expect(lines.some((l) => l.startsWith('error[E_SCHEMA]: g/peers.yaml:9:'))).toBe(true);
  });

  test.each([['warn'], ['enforce-new']])(
    'GIVEN mode %s WHEN validated as json THEN the violation is a warning with its position and the run is valid',
    async (mode) => {
      const c = capture();
      const fs = guarded(`    mode: ${mode}\n    peerAllowedPorts: [53]\n`);
      await runValidate({ dir: 'g', format: 'json' }, { ...c.io, cwd: '/w', clock, fs });
      const body = JSON.parse(c.out.join('')) as ValidateJson;
      // The second peer's schema error still fails the run; the guardrail does not.
      expect(body.errors.map((e) => e.code)).toEqual(['E_SCHEMA']);
      expect(body.warnings).toEqual([
        expect.objectContaining({
          code: 'W_POLICY_VIOLATION',
          location: expect.objectContaining({ file: 'g/peers.yaml', line: 4, pointer: '/spec/port' }),
          hint: expect.stringContaining(`policy.mode: ${mode}`),
        }),
      ]);
      expect(body.summary).toContain('1 guardrail warning');
    },
  );
});
