/**
 * Every resource and intent is checked before it is written, not only when read back: a bug that put a token value
 * (or any field the schema does not know) into a change is stopped before it reaches the state, instead of being
 * persisted and then refusing every later read.
 */
import { Ajv } from 'ajv';
import { CfgitopsError } from '../errors.js';
import { intentSchema, recordedResourceSchema } from './state-document-schema.js';
import type { StateChange } from './types.js';

const ajv = new Ajv({ allErrors: false, strict: true });
const validResource = ajv.compile(recordedResourceSchema);
const validIntent = ajv.compile(intentSchema);

export function checkStateChanges(changes: readonly StateChange[]): void {
  for (const [i, c] of changes.entries()) {
    const ok =
      c.type === 'put-resource' ? validResource(c.resource) : c.type === 'put-intent' ? validIntent(c.intent) : true;
    if (!ok) {
      const errors = c.type === 'put-resource' ? validResource.errors : validIntent.errors;
      const err = errors?.[0];
      throw new CfgitopsError(
        'E_INTERNAL',
        `state change ${i} (${c.type}) is not a valid state entry: ${err?.instancePath ?? ''} ${err?.message ?? ''}`,
      );
    }
  }
}
