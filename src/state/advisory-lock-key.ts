import { sha256 } from '../sha256.js';

/**
 * The two int4 keys of a session advisory lock: (workspace, scope), where scope is `*` for the whole workspace or an
 * account id. Hashed here rather than with PostgreSQL's hashtext() so the keys do not depend on the server version,
 * and kept non-negative so they compare equal to pg_locks' classid/objid (unsigned oids).
 */
export function advisoryLockKeys(workspace: string, scope: string): readonly [number, number] {
  return [int31(`cfgitops:workspace:${workspace}`), int31(`cfgitops:scope:${scope}`)];
}

/** The lock the schema migrations run under (transaction-level): one per database. */
export const MIGRATION_LOCK_KEYS: readonly [number, number] = [int31('cfgitops:migrations'), 0];

/**
 * The session lock `cfgitops controller` replicas campaign for (one leader per workspace). Its own key pair, never
 * one of a state lock's: leadership and the state lock are taken on different sessions and must not block each other.
 */
export function leaderLockKeys(workspace: string): readonly [number, number] {
  return [int31(`cfgitops:controller-leader:${workspace}`), 1];
}

function int31(text: string): number {
  return sha256().update(text).digest().readUInt32BE(0) & 0x7fffffff;
}
