/**
 * The repository stands alone: a fresh clone has no contract folder beside it, so nothing the build, the tests or
 * the benchmarks read may point outside the project. The contract's one copy is src/contract/ (with its notes in
 * docs/cloudflare-api.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, test } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
// Spelt in pieces so this file does not match itself.
const outside = ['..', 'shared'].join('/');
const received = ['shared', 'cloudflare'].join('/');

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (/\.(ts|js|json|md|yaml|yml)$/.test(entry.name)) yield path;
  }
}

test('GIVEN src, test, bench and the package files THEN none refers to a contract folder outside the repository', () => {
  const roots = ['src', 'test', 'bench', 'docs'].map((d) => join(root, d));
  const single = ['package.json', 'vitest.config.ts', 'tsconfig.json', 'README.md', 'Dockerfile', '.ci/run'];
  const offenders: string[] = [];
  for (const path of [...roots.flatMap((r) => [...files(r)]), ...single.map((f) => join(root, f))]) {
    const text = readFileSync(path, 'utf8');
    text.split('\n').forEach((line, i) => {
      if (line.includes(outside) || line.includes(received))
        offenders.push(`${relative(root, path)}:${i + 1}: ${line.trim()}`);
    });
  }
  expect(offenders).toEqual([]);
});

test('GIVEN the contract THEN its one copy is src/contract (the emulator imports it from there)', () => {
  const validator = readFileSync(join(root, 'src/emulator/request-validator.ts'), 'utf8');
  const catalog = readFileSync(join(root, 'src/emulator/permission-groups.ts'), 'utf8');
  expect(validator).toContain("from '../contract/openapi.json'");
  expect(catalog).toContain("from '../contract/permission-groups.json'");
  expect(readdirSync(join(root, 'src/emulator')).filter((f) => f.endsWith('.json'))).toEqual([]);
});
