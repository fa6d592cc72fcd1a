/**
 * `--format json` prints one valid document on stdout whatever happens: when a command fails before it has its
 * result, that document is `{ "ok": false, "errors": [...] }` (each error as `CfgitopsError.toJSON()`: code,
 * message, location, hint; never a secret), and the error is still reported on stderr with exit code 1.
 */
import type { Output } from '../effects.js';
import { asCfgitopsError, errorList, type CfgitopsErrorJson } from '../errors.js';

export interface FailureJson {
  ok: false;
  errors: CfgitopsErrorJson[];
}

export function failureJson(e: unknown): FailureJson {
  return { ok: false, errors: errorList(asCfgitopsError(e)).map((err) => err.toJSON()) };
}

/** Runs `run`; with `json`, a failure first prints its document on `output`, then propagates. */
export async function withJsonFailure(
  json: boolean,
  output: Pick<Output, 'out'>,
  run: () => Promise<number>,
): Promise<number> {
  try {
    return await run();
  } catch (e) {
    if (json) output.out(`${JSON.stringify(failureJson(e), null, 2)}\n`);
    throw e;
  }
}
