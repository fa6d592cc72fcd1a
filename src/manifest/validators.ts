/**
 * The ajv validators, compiled once per process (compiling is the slow part; 10k documents reuse them).
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { isIP } from 'node:net';
import { DOCUMENT_SCHEMAS, type ManifestKind } from './schemas/index.js';

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export function isCidr(value: string): boolean {
  const slash = value.indexOf('/');
  const ip = slash === -1 ? value : value.slice(0, slash);
  const family = isIP(ip);
  if (family === 0) return false;
  if (slash === -1) return true;
  const prefix = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

let compiled: Readonly<Record<ManifestKind, ValidateFunction>> | undefined;

export function documentValidators(): Readonly<Record<ManifestKind, ValidateFunction>> {
  if (compiled) return compiled;
  const ajv = new Ajv2020({
    allErrors: true,
    discriminator: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    verbose: true,
    // Checking our own fixed schemas against the 2020-12 meta-schema would compile the meta-schema on every run
    // (~40 % of the compile time); test/unit/manifest/schema-files.test.ts checks them once instead.
    validateSchema: false,
  });
  addFormats(ajv, ['date-time', 'uri']);
  ajv.addFormat('cidr', { type: 'string', validate: isCidr });
  ajv.addFormat('ip', { type: 'string', validate: (v: string) => isIP(v) !== 0 });
  const entries = Object.entries(DOCUMENT_SCHEMAS).map(([kind, { schema }]) => [kind, ajv.compile(schema)]);
  compiled = Object.fromEntries(entries) as Record<ManifestKind, ValidateFunction>;
  return compiled;
}
