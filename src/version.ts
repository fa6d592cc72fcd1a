import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const pkg = require('../package.json') as { version: string };

/** From package.json, so `--version` and the User-Agent never drift from the release. */
export const VERSION: string = pkg.version;
