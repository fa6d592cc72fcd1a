/**
 * CommonJS dependencies loaded on first use rather than at start-up: `yaml` (~80 files; 20–50 ms to load on this
 * machine, more than node's own start-up) is needed only when a manifest takes the positioned path (an error, an
 * unusual construct, a pointer to locate), for age sink files and for `export`; valid plain manifests are read by
 * the subset parser, or js-yaml where it declines (src/manifest/fast-yaml.ts) — so js-yaml too is loaded only then.
 * `cli-progress` only when a progress bar is drawn on a terminal.
 * Synchronous (require), so the parsers that need them stay synchronous.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

let yamlModule: typeof import('yaml') | undefined;
export function yaml(): typeof import('yaml') {
  return (yamlModule ??= require('yaml') as typeof import('yaml'));
}

let jsYamlModule: typeof import('js-yaml') | undefined;
export function jsYaml(): typeof import('js-yaml') {
  return (jsYamlModule ??= require('js-yaml') as typeof import('js-yaml'));
}

let cliProgressModule: typeof import('cli-progress') | undefined;
export function cliProgress(): typeof import('cli-progress') {
  return (cliProgressModule ??= require('cli-progress') as typeof import('cli-progress'));
}
