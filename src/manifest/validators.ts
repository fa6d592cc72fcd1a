/**
 * The manifest document validators: ajv standalone code generated at build time (src/precompiled-validators.ts),
 * or compiled once per process from the TypeScript sources. Either way once per process: 10k documents reuse them.
 */
import { createRequire } from 'node:module';
import type { Ajv2020 as Ajv2020Class } from 'ajv/dist/2020.js';
import type { FormatsPlugin } from 'ajv-formats';
import type { CodeOptions } from 'ajv';
import { loadValidators, type ValidatorSet } from '../precompiled-validators.js';
import { cidrFormat, ipFormat } from './formats.js';
import { DOCUMENT_SCHEMAS, type ManifestKind } from './schemas/index.js';

export { isCidr } from './formats.js';

/** The generated validators' file in dist/generated/ (src/precompiled-validators.ts). */
export const DOCUMENT_VALIDATORS_FILE = 'document-validators.cjs';

const require = createRequire(import.meta.url);

/**
 * The ajv instance every document schema is added to, by `$id`. `code` is for the build script (standalone source,
 * and where the generated code finds the formats).
 */
export function documentValidatorAjv(code?: CodeOptions): Ajv2020Class {
  const { Ajv2020 } = require('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020Class };
  // ajv-formats is CommonJS with `exports.default`.
  const addFormats = (require('ajv-formats') as { default: FormatsPlugin }).default;
  const ajv = new Ajv2020({
    allErrors: true,
    discriminator: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    // schema-errors.ts reads parentSchema to say what a field may be.
    verbose: true,
    // Checking our own fixed schemas against the 2020-12 meta-schema would compile the meta-schema on every run
    // (~40 % of the compile time); test/unit/manifest/schema-files.test.ts checks them once instead.
    validateSchema: false,
    ...(code ? { code } : {}),
  });
  addFormats(ajv, ['date-time', 'uri']);
  ajv.addFormat('cidr', cidrFormat);
  ajv.addFormat('ip', ipFormat);
  for (const { schema } of Object.values(DOCUMENT_SCHEMAS)) ajv.addSchema(schema);
  return ajv;
}

/** Each kind's schema `$id`: the names the generated module exports its validators under are the kinds. */
export const DOCUMENT_SCHEMA_IDS: Readonly<Record<ManifestKind, string>> = Object.fromEntries(
  Object.entries(DOCUMENT_SCHEMAS).map(([kind, { schema }]) => [kind, schema.$id]),
) as Record<ManifestKind, string>;

let loaded: ValidatorSet<ManifestKind> | undefined;

export function documentValidators(): ValidatorSet<ManifestKind> {
  loaded ??= loadValidators(import.meta.url, DOCUMENT_VALIDATORS_FILE, () => {
    const ajv = documentValidatorAjv();
    return Object.fromEntries(
      Object.entries(DOCUMENT_SCHEMA_IDS).map(([kind, id]) => [kind, ajv.getSchema(id)!]),
    ) as Record<ManifestKind, ReturnType<typeof ajv.compile>>;
  });
  return loaded;
}
