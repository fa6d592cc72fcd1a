/**
 * The state's validators (a whole document on read, each change before it is written): ajv standalone code generated
 * at build time (src/precompiled-validators.ts), or compiled on first use from the TypeScript sources.
 */
import { createRequire } from 'node:module';
import type { Ajv as AjvClass, CodeOptions, ValidateFunction } from 'ajv';
import { loadValidators } from '../precompiled-validators.js';
import {
  appliedConfigSchema,
  intentSchema,
  recordedResourceSchema,
  stateDocumentSchema,
} from './state-document-schema.js';
import type { StateDocument } from './types.js';

export const STATE_VALIDATORS_FILE = 'state-validators.cjs';

/** Each schema's key in the ajv instance; the generated module exports the validators under the same names. */
export const STATE_SCHEMAS = {
  document: stateDocumentSchema,
  resource: recordedResourceSchema,
  intent: intentSchema,
  config: appliedConfigSchema,
} as const;

type StateSchemaName = keyof typeof STATE_SCHEMAS;

const require = createRequire(import.meta.url);

export function stateValidatorAjv(code?: CodeOptions): AjvClass {
  const { Ajv } = require('ajv') as { Ajv: typeof AjvClass };
  const ajv = new Ajv({ allErrors: false, strict: true, ...(code ? { code } : {}) });
  for (const [name, schema] of Object.entries(STATE_SCHEMAS)) ajv.addSchema(schema, name);
  return ajv;
}

export interface StateValidators {
  document: ValidateFunction<StateDocument>;
  resource: ValidateFunction;
  intent: ValidateFunction;
  config: ValidateFunction;
}

let loaded: StateValidators | undefined;

export function stateValidators(): StateValidators {
  loaded ??= loadValidators<StateSchemaName>(import.meta.url, STATE_VALIDATORS_FILE, () => {
    const ajv = stateValidatorAjv();
    return Object.fromEntries(Object.keys(STATE_SCHEMAS).map((name) => [name, ajv.getSchema(name)!])) as Record<
      StateSchemaName,
      ValidateFunction
    >;
  }) as unknown as StateValidators;
  return loaded;
}
