/**
 * Every resource, intent and config snapshot is checked before it is written, not only when read back: a bug that put a token value
 * (or any field the schema does not know) into a change is stopped before it reaches the state, instead of being
 * persisted and then refusing every later read.
 */
import type { ValidateFunction } from 'ajv';
import { CfgitopsError } from '../errors.js';
import { stateValidators } from './state-validators.js';
import type { StateChange } from './types.js';

function validate(c: StateChange): { ok: boolean; errors: ValidateFunction['errors'] } {
  const { resource: validResource, intent: validIntent, config: validConfig } = stateValidators();
  switch (c.type) {
    case 'put-resource':
      return { ok: validResource(c.resource), errors: validResource.errors };
    case 'put-intent':
      return { ok: validIntent(c.intent), errors: validIntent.errors };
    case 'put-config':
      return { ok: validConfig(c.config), errors: validConfig.errors };
    default:
      return { ok: true, errors: null };
  }
}

export function checkStateChanges(changes: readonly StateChange[]): void {
  for (const [i, c] of changes.entries()) {
    const { ok, errors } = validate(c);
    if (!ok) {
      const err = errors?.[0];
      throw new CfgitopsError(
        'E_INTERNAL',
        `state change ${i} (${c.type}) is not a valid state entry: ${err?.instancePath ?? ''} ${err?.message ?? ''}`,
      );
    }
  }
}
