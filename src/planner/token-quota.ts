/**
 * Cloudflare holds at most 500 account-owned tokens per account (docs/cloudflare-api.md "Quota"), and an overlap
 * rotation needs room for the successor while the predecessor lives. A plan that would go over is refused before
 * any write, naming the tokens that would add one — not found out halfway through an apply as a 400 from the API.
 */
import { CfgitopsError } from '../errors.js';
import { addressKey } from '../resources.js';
import type { LiveSnapshot } from './live.js';
import type { PlanStep } from './plan.js';

export const ACCOUNT_TOKEN_QUOTA = 500;

/** How many names an error lists before "and N more". */
const NAMED = 20;

/** True when the step leaves one more token live in its account at its peak (deletes run after every create). */
function addsToken(step: PlanStep): boolean {
  if (step.address.kind !== 'AccountToken') return false;
  if (step.action === 'create') return true;
  return step.action === 'rotate' && step.rotation?.successor === 'create';
}

export function checkTokenQuota(steps: readonly PlanStep[], live: LiveSnapshot): CfgitopsError[] {
  const adding = new Map<string, PlanStep[]>();
  for (const s of steps) {
    if (!addsToken(s)) continue;
    const list = adding.get(s.address.account);
    if (list) list.push(s);
    else adding.set(s.address.account, [s]);
  }
  const errors: CfgitopsError[] = [];
  for (const [account, added] of [...adding].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // The live list includes expired tokens (the client asks for them): they count against the quota too.
    const existing = live.accounts[account]?.tokens.length ?? 0;
    const peak = existing + added.length;
    if (peak <= ACCOUNT_TOKEN_QUOTA) continue;
    const names = added.slice(0, NAMED).map((s) => `${addressKey(s.address)} (${s.action})`);
    const more = added.length > NAMED ? `, and ${added.length - NAMED} more` : '';
    const rotations = added.filter((s) => s.action === 'rotate').length;
    errors.push(
      new CfgitopsError(
        'E_TOKEN_QUOTA',
        `account ${account} would hold ${peak} account tokens (${existing} now + ${added.length} new), more than ` +
          `Cloudflare's ${ACCOUNT_TOKEN_QUOTA}; the tokens adding one: ${names.join(', ')}${more}`,
        {
          hint:
            rotations > 0
              ? `an overlap rotation holds two tokens until its grace ends: rotate fewer at once (cfgitops rotate NAME…), use strategy roll for some, or delete unused tokens (${peak - ACCOUNT_TOKEN_QUOTA} too many)`
              : `delete unused tokens in this account first (${peak - ACCOUNT_TOKEN_QUOTA} too many)`,
        },
      ),
    );
  }
  return errors;
}
