/**
 * The build-time validators and their V8 code cache (src/precompiled-validators.ts): the cache is used only beside
 * the file its own build stamped, a stale or foreign one is ignored, a damaged one is refused by V8, and in every case
 * the module runs as `require` would run it. The built set (dist/generated/, `npm test` builds first) gives the same
 * verdicts and errors as the validators ajv compiles from the sources.
 */
import { mkdtemp, readFile, rm, writeFile, mkdir, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  CODE_CACHE_SUFFIX,
  codeCacheFile,
  loadValidators,
  runCommonJs,
  stampSource,
  type ValidatorSet,
} from '../../src/precompiled-validators.js';
import { DOCUMENT_SCHEMA_IDS, DOCUMENT_VALIDATORS_FILE, documentValidatorAjv } from '../../src/manifest/validators.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

let dir: string;
/** A module URL in `<dir>/lib/`, so `../generated/` is `<dir>/generated/`. */
let moduleUrl: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cfgitops-validators-'));
  await mkdir(path.join(dir, 'generated'));
  moduleUrl = pathToFileURL(path.join(dir, 'lib', 'validators.js')).href;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BUILD = 'a'.repeat(32);
const OTHER_BUILD = 'b'.repeat(32);
const RAW = `'use strict';
let calls = 0;
exports.Thing = function validate(data) { calls++; validate.errors = data === 1 ? null : [{ keyword: 'const' }]; return data === 1; };
exports.calls = () => calls;
exports.dir = __dirname;
exports.sameRequire = typeof require('node:path').join;
`;
const SOURCE = stampSource(RAW, BUILD);

async function writeGenerated(source: string, cache?: Buffer): Promise<string> {
  const file = path.join(dir, 'generated', 'set.cjs');
  await writeFile(file, source);
  if (cache) await writeFile(file + CODE_CACHE_SUFFIX, cache);
  return file;
}

function cacheFor(file: string, source: string, buildId = BUILD): Buffer {
  const { script, exports } = runCommonJs(file, source);
  (exports as { Thing: (d: unknown) => boolean }).Thing(1);
  return codeCacheFile(buildId, script.createCachedData());
}

const notCompiled = (): ValidatorSet<'Thing'> => {
  throw new Error('compiled although a generated file exists');
};

describe('precompiled validators', () => {
  test('GIVEN a generated file and its code cache WHEN loaded THEN V8 takes the cache and the module behaves as required', async () => {
    const file = await writeGenerated(SOURCE);
    await writeFile(file + CODE_CACHE_SUFFIX, cacheFor(file, SOURCE));
    const spy = vi.spyOn(Script.prototype, 'runInThisContext');
    const set = loadValidators(moduleUrl, 'set.cjs', notCompiled) as unknown as Record<string, unknown>;
    const script = spy.mock.contexts[0] as Script;
    spy.mockRestore();
    expect(script.cachedDataRejected).toBe(false);
    const thing = set['Thing'] as (d: unknown) => boolean;
    expect([thing(1), thing(2)]).toEqual([true, false]);
    expect((set['calls'] as () => number)()).toBe(2);
    expect(set['dir']).toBe(path.dirname(file));
    expect(set['sameRequire']).toBe('function');
  });

  test('GIVEN a cache another build made (from a source of the same length) WHEN loaded THEN it is not handed to V8 and the file runs from source', async () => {
    const other = stampSource(RAW.replace('data === 1 ?', 'data === 2 ?'), OTHER_BUILD);
    expect(other.length).toBe(SOURCE.length);
    const file = await writeGenerated(SOURCE, cacheFor(path.join(dir, 'generated', 'set.cjs'), other, OTHER_BUILD));
    const spy = vi.spyOn(Script.prototype, 'runInThisContext');
    const set = loadValidators(moduleUrl, 'set.cjs', notCompiled) as unknown as Record<string, (d: unknown) => boolean>;
    const script = spy.mock.contexts[0] as Script;
    spy.mockRestore();
    expect(script.cachedDataRejected).toBeUndefined(); // no cache was offered
    expect(set['Thing']!(1)).toBe(true);
    expect(await readFile(file, 'utf8')).toBe(SOURCE);
  });

  test('GIVEN a damaged cache with the right hash, or one too short WHEN loaded THEN the module still runs from source', async () => {
    for (const damaged of [
      codeCacheFile(BUILD, Buffer.from('not a V8 code cache at all')),
      Buffer.from('short'),
      Buffer.alloc(0),
    ]) {
      await writeGenerated(SOURCE, damaged);
      const set = loadValidators(moduleUrl, 'set.cjs', notCompiled) as unknown as Record<
        string,
        (d: unknown) => boolean
      >;
      expect([set['Thing']!(1), set['Thing']!(0)]).toEqual([true, false]);
    }
  });

  test('GIVEN a build id that is not 32 hex digits WHEN stamped THEN the build fails', () => {
    expect(() => stampSource(RAW, 'not-an-id')).toThrow(/32 hex digits/);
  });

  test('GIVEN no generated file WHEN loaded THEN the set is compiled; a broken one throws instead of falling back', async () => {
    const compiled = { Thing: () => true } as unknown as ValidatorSet<'Thing'>;
    expect(loadValidators(moduleUrl, 'set.cjs', () => compiled)).toBe(compiled);
    await writeGenerated('exports.Thing = (;');
    expect(() => loadValidators(moduleUrl, 'set.cjs', () => compiled)).toThrow(SyntaxError);
  });

  test('GIVEN the built document validators and their cache WHEN run on valid and broken documents THEN they agree with ajv compiling the schemas', async () => {
    const built = path.join(ROOT, 'dist', 'generated', DOCUMENT_VALIDATORS_FILE);
    // As a module in dist/<folder>/ finds them; the copy keeps the test off the real build's files.
    await copyFile(built, path.join(dir, 'generated', DOCUMENT_VALIDATORS_FILE));
    await copyFile(
      built + CODE_CACHE_SUFFIX,
      path.join(dir, 'generated', DOCUMENT_VALIDATORS_FILE + CODE_CACHE_SUFFIX),
    );
    const generated = loadValidators(moduleUrl, DOCUMENT_VALIDATORS_FILE, notCompiled) as unknown as Record<
      string,
      ((d: unknown) => boolean) & { errors?: unknown }
    >;
    const ajv = documentValidatorAjv();
    const documents: unknown[] = [
      {},
      { apiVersion: 'cfgitops.dev/v1', kind: 'AccountToken', metadata: { name: 'ci', account: 'main' }, spec: {} },
      {
        apiVersion: 'cfgitops.dev/v1',
        kind: 'SecondaryDnsPeer',
        metadata: { name: 'ns1', account: 'main' },
        spec: { name: 'ns1', ip: '192.0.2.010', port: 70000, ixfr_enable: 'yes', extra: 1 },
      },
      {
        apiVersion: 'cfgitops.dev/v1',
        kind: 'SecondaryDnsAcl',
        metadata: { name: 'xfr', account: 'main' },
        spec: { name: 'xfr', ip_range: '2001:db8::/129' },
      },
    ];
    for (const [kind, id] of Object.entries(DOCUMENT_SCHEMA_IDS)) {
      const compiled = ajv.getSchema(id)!;
      for (const doc of documents) {
        const verdict = generated[kind]!(doc);
        expect(verdict, `${kind} ${JSON.stringify(doc)}`).toBe(compiled(doc));
        expect(generated[kind]!.errors ?? null).toEqual(compiled.errors ?? null);
      }
    }
  });
});
