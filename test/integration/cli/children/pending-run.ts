/**
 * A child entry point: `pending` guards a "run" that awaits what never settles (as a run stuck on an HTTP pool would);
 * `settled` guards one that finishes and releases the guard, as main() does.
 */
import { guardPendingExit } from '../../../../src/cli/guard-pending-exit.js';

const release = guardPendingExit();
if (process.argv[2] === 'pending') await new Promise<never>(() => undefined);
release();
