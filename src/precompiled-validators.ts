/**
 * JSON-Schema validators compiled at build time. `npm run build` (scripts/compile-validators.js) writes each set of
 * validators as ajv standalone code into dist/generated/ (`../generated/` from a module in dist/<folder>/ and from the
 * bundle in dist/bundle/ alike), so a run loads plain functions instead of ajv
 * and its compiler (which cost every process 100–200 ms before the first document was checked). Running from the
 * TypeScript sources (tests) there is no generated file, and the set is compiled with ajv at first use instead —
 * from the same `compile` function the build script uses, so both paths have one definition.
 *
 * Beside each file the build writes V8's code cache of it (`<file>.v8cache`), taken after the validators ran once, so
 * their functions come compiled: parsing and compiling ~320 KB of generated code was `validate`'s largest start-up
 * cost (~14 of its ~85 ms; docs/benchmarks.md). Each build stamps the file's last line with a random build id and
 * starts the cache with the same id: a cache is used only beside the file of its own build (a stale or copied one is
 * ignored). V8 itself refuses a cache made for another V8 version, other flags or a source of another length, and
 * then the file is compiled as if there were no cache. Either way the module runs exactly as `require` would run it.
 * The id, not a hash of the source, because hashing at start-up loads node:crypto (~3 ms); what it cannot catch is a
 * hand edit of the generated file that keeps both its length and its last line.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import type { ValidateFunction } from 'ajv';

export type ValidatorSet<K extends string> = Readonly<Record<K, ValidateFunction>>;

/** The code cache's file name beside a generated file. */
export const CODE_CACHE_SUFFIX = '.v8cache';
const ID_BYTES = 32;

/**
 * The set in `../generated/<generatedFile>` (a CommonJS module) from `moduleUrl`, else `compile()`. A generated file that
 * is present but broken throws: a build that produced it must not silently fall back.
 */
export function loadValidators<K extends string>(
  moduleUrl: string,
  generatedFile: string,
  compile: () => ValidatorSet<K>,
): ValidatorSet<K> {
  const file = path.join(path.dirname(fileURLToPath(moduleUrl)), '..', 'generated', generatedFile);
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ENOENT') throw e;
    return compile();
  }
  return runCommonJs(file, source, codeCacheFor(file, source)).exports as ValidatorSet<K>;
}

/**
 * Runs a CommonJS module's source as Node's loader would (same wrapper arguments, `require` relative to the file),
 * through a `Script` so a code cache can be handed to V8. Returns the module and the script (the build script takes
 * its cache after running it).
 */
export function runCommonJs(file: string, source: string, cachedData?: Buffer): { exports: unknown; script: Script } {
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const wrapper = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: { exports: unknown },
    filename: string,
    dirname: string,
  ) => void;
  const module = { exports: {} as unknown };
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  return {
    exports: module.exports,
    script,
  };
}

const STAMP = '//# cfgitops-build=';

/** The generated source with its build's id as its last line (the build script writes this, then the cache). */
export function stampSource(source: string, buildId: string): string {
  if (!/^[0-9a-f]{32}$/.test(buildId)) throw new Error(`build id ${buildId} is not 32 hex digits`);
  return `${source.endsWith('\n') ? source : `${source}\n`}${STAMP}${buildId}\n`;
}

/** The code cache file's content: the build id, then V8's data. */
export function codeCacheFile(buildId: string, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(buildId, 'latin1'), data]);
}

/** V8's data from `<file>.v8cache` when it was made by the build that stamped this source; else undefined. */
function codeCacheFor(file: string, source: string): Buffer | undefined {
  let content: Buffer;
  try {
    content = readFileSync(file + CODE_CACHE_SUFFIX);
  } catch {
    return undefined; // an older build, or one that could not write it: the cache is an optimisation only
  }
  if (content.length <= ID_BYTES) return undefined;
  const id = content.subarray(0, ID_BYTES).toString('latin1');
  if (!/^[0-9a-f]{32}$/.test(id) || !source.endsWith(`${STAMP}${id}\n`)) return undefined;
  return content.subarray(ID_BYTES);
}
