#!/usr/bin/env node
// Thin launcher: the compiled CLI, bundled, lives in dist/bundle/ (built by `npm run build`, which `npm ci` runs via
// `prepare`; scripts/bundle.js says why a bundle).
import { main } from '../dist/bundle/cli.js';

process.exitCode = await main(process.argv.slice(2));
