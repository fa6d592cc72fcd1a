import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * From package.json, so `--version` and the User-Agent never drift from the release. Found by walking up from this
 * module: it runs from src/, dist/ and the bundle in dist/bundle/, at different depths.
 */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cfgitops' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here: one level up
    }
    const parent = dirname(dir);
    if (parent === dir) return '0.0.0';
    dir = parent;
  }
}

export const VERSION: string = packageVersion();
