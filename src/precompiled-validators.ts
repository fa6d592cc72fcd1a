/**
 * JSON-Schema validators compiled at build time. `npm run build` (scripts/compile-validators.js) writes each set of
 * validators as ajv standalone code into dist/generated/ (`../generated/` from a module in dist/<folder>/ and from the
 * bundle in dist/bundle/ alike), so a run loads plain functions instead of ajv
 * and its compiler (which cost every process 100–200 ms before the first document was checked). Running from the
 * TypeScript sources (tests) there is no generated file, and the set is compiled with ajv at first use instead —
 * from the same `compile` function the build script uses, so both paths have one definition.
 */
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';

export type ValidatorSet<K extends string> = Readonly<Record<K, ValidateFunction>>;

/**
 * The set in `../generated/<generatedFile>` (a CommonJS module) from `moduleUrl`, else `compile()`. A generated file that
 * is present but broken throws: a build that produced it must not silently fall back.
 */
export function loadValidators<K extends string>(
  moduleUrl: string,
  generatedFile: string,
  compile: () => ValidatorSet<K>,
): ValidatorSet<K> {
  const require = createRequire(moduleUrl);
  try {
    return require(`../generated/${generatedFile}`) as ValidatorSet<K>;
  } catch (e) {
    const missing = (e as { code?: unknown }).code === 'MODULE_NOT_FOUND' && String(e).includes(generatedFile);
    if (!missing) throw e;
    return compile();
  }
}
