import type { RecoveryDeps } from './create-with-recovery.js';
import type { HttpCore } from './http-core.js';

/** What every resource API file is built from. */
export interface ApiContext {
  core: HttpCore;
  recovery: RecoveryDeps;
}
