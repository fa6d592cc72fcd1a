/**
 * Turns text or a stored value into a StateDocument, or says exactly why it is not one. Never repairs anything:
 * a state cfgitops does not understand is reported, not overwritten.
 */
import { CfgitopsError, type SourceLocation } from '../errors.js';
import { addressKey } from '../resources.js';
import { jsonErrorOffset } from './json-error-offset.js';
import { stateValidators } from './state-validators.js';
import { STATE_FORMAT_VERSION, type StateDocument } from './types.js';

/** Parses the text of a state file. `file` names it in errors. */
export function parseStateDocument(text: string, file: string): StateDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const location = jsonErrorLocation(text, file);
    throw new CfgitopsError('E_STATE_CORRUPT', `${file}: the state file is not valid JSON`, {
      location,
      hint: 'restore it from a backup or version history; cfgitops never overwrites a state it cannot read',
    });
  }
  return checkStateDocument(value, file);
}

/** Checks a parsed value. `where` names the file or the database workspace in errors. */
export function checkStateDocument(value: unknown, where: string): StateDocument {
  const version = isRecord(value) ? value['format_version'] : undefined;
  if (typeof version === 'number' && version > STATE_FORMAT_VERSION) {
    throw new CfgitopsError(
      'E_STATE_VERSION',
      `${where}: state format_version ${version} is newer than this cfgitops understands (${STATE_FORMAT_VERSION})`,
      { hint: 'upgrade cfgitops to the version that wrote this state' },
    );
  }
  const validate = stateValidators().document;
  if (!validate(value)) {
    const err = validate.errors?.[0];
    const pointer = err?.instancePath === '' ? '/' : (err?.instancePath ?? '/');
    throw new CfgitopsError('E_STATE_CORRUPT', `${where}: state ${pointer} ${err?.message ?? 'is invalid'}`, {
      hint: 'restore it from a backup or version history; cfgitops never overwrites a state it cannot read',
    });
  }
  for (const [key, resource] of Object.entries(value.resources)) {
    if (addressKey(resource) !== key) {
      throw new CfgitopsError('E_STATE_CORRUPT', `${where}: state resource key ${key} does not match its address`);
    }
  }
  for (const [id, intent] of Object.entries(value.pending)) {
    if (intent.id !== id) {
      throw new CfgitopsError('E_STATE_CORRUPT', `${where}: state intent key ${id} does not match its id`);
    }
  }
  return value;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** 1-based line and column of the first syntax error. */
function jsonErrorLocation(text: string, file: string): SourceLocation | undefined {
  const offset = jsonErrorOffset(text);
  if (offset === undefined) return undefined;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - before.lastIndexOf('\n');
  return { file, line, col };
}
