/**
 * Copies a state from one store to another exactly — lineage, serial, resources and journal — so that plans saved
 * against the old backend stay valid against the new one. Both stores are locked for the copy, and the result is read
 * back and compared before the migration counts as done.
 */
import { isDeepStrictEqual } from 'node:util';
import { CfgitopsError } from '../errors.js';
import type { StateDocument, StateLock, StateStore } from './types.js';

export interface MigrateStateOptions {
  /** Overwrite a target that already holds a different, non-empty state. */
  force?: boolean;
  lockTimeoutMs?: number;
  operation?: string;
}

export interface MigrateStateResult {
  lineage: string;
  serial: number;
  resources: number;
  pending: number;
  /** False when the target already held exactly this state. */
  copied: boolean;
}

export async function migrateState(
  from: StateStore,
  to: StateStore,
  options: MigrateStateOptions = {},
): Promise<MigrateStateResult> {
  const timeout = options.lockTimeoutMs ?? 0;
  const operation = options.operation ?? 'state migrate';
  const source = await from.lock(operation, timeout);
  let target: StateLock | undefined;
  try {
    target = await to.lock(operation, timeout);
    const doc = source.current();
    const existing = target.current();
    const copied = !isDeepStrictEqual(existing, doc);
    if (copied && !isEmpty(existing) && options.force !== true) {
      throw new CfgitopsError(
        'E_STATE_CONFLICT',
        `${to.describe()} already holds a different state (lineage ${existing.lineage}, serial ${existing.serial})`,
        { hint: 'migrate into an empty target, or pass --force to overwrite it' },
      );
    }
    if (copied) {
      if (!target.replace) throw new CfgitopsError('E_INTERNAL', `${to.describe()} cannot replace a whole state`);
      await target.replace(doc);
    }
    const readBack = await to.read();
    if (!isDeepStrictEqual(readBack, doc)) {
      throw new CfgitopsError('E_STATE_IO', `${to.describe()}: the migrated state does not read back identical`, {
        hint: `the source ${from.describe()} is unchanged; check the target and run the migration again`,
      });
    }
    return {
      lineage: doc.lineage,
      serial: doc.serial,
      resources: Object.keys(doc.resources).length,
      pending: Object.keys(doc.pending).length,
      copied,
    };
  } finally {
    await target?.release();
    await source.release();
  }
}

function isEmpty(doc: StateDocument): boolean {
  return doc.serial === 0 && Object.keys(doc.resources).length === 0 && Object.keys(doc.pending).length === 0;
}
