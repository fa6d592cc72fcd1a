/**
 * schemas/*.schema.json are emitted from the `as const` schemas in src/manifest/schemas (which also give the spec
 * types): this fails when they drift. Regenerate with CFGITOPS_WRITE_SCHEMAS=1 and run prettier on schemas/.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, test } from 'vitest';
import { DOCUMENT_SCHEMAS } from '../../../src/manifest/schemas/index.js';

const dir = new URL('../../../schemas/', import.meta.url);

describe('schemas/*.schema.json', () => {
  test.each(Object.entries(DOCUMENT_SCHEMAS))('GIVEN %s WHEN compared THEN the JSON file matches', (_kind, entry) => {
    const url = new URL(entry.file, dir);
    if (process.env['CFGITOPS_WRITE_SCHEMAS'] === '1') writeFileSync(url, `${JSON.stringify(entry.schema, null, 2)}\n`);
    expect(JSON.parse(readFileSync(url, 'utf8'))).toEqual(entry.schema);
  });

  test.each(Object.entries(DOCUMENT_SCHEMAS))('GIVEN %s THEN every property has a description', (_kind, entry) => {
    const missing: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (node === null || typeof node !== 'object') return;
      const props = (node as { properties?: Record<string, unknown> }).properties;
      for (const [name, sub] of Object.entries(props ?? {})) {
        if (typeof (sub as { description?: unknown }).description !== 'string') missing.push(`${where}/${name}`);
      }
      for (const [key, value] of Object.entries(node)) walk(value, `${where}/${key}`);
    };
    walk(entry.schema, '');
    expect(missing).toEqual([]);
  });

  // The loader compiles with validateSchema: false (the meta-schema compile is slow): the check lives here.
  test.each(Object.entries(DOCUMENT_SCHEMAS))('GIVEN %s THEN it is a valid 2020-12 JSON Schema', (_kind, entry) => {
    const ajv = new Ajv2020({ strict: true, discriminator: true, allowUnionTypes: true });
    expect(ajv.validateSchema(entry.schema)).toBe(true);
    expect(ajv.errors ?? []).toEqual([]);
  });

  test.each(readdirSync(dir).filter((f) => f.endsWith('.json')))(
    'GIVEN %s THEN no description points at files users do not have (the repo-internal shared/ notes)',
    (file) => {
      const text = readFileSync(new URL(file, dir), 'utf8');
      expect(text).not.toMatch(/shared\/cloudflare|NOTES\.md|openapi\.json/);
    },
  );
});
