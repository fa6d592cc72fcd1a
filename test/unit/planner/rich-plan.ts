/**
 * The planner's rich scenario: a plan with every action, built from inputs that hold real secret values. Shared by
 * the renderer tests and the golden files (test/golden).
 */
import type { CfToken } from '../../../src/cloudflare/types.js';
import { defaultConfig, type ResolvedConfig } from '../../../src/config/types.js';
import { planChanges } from '../../../src/planner/plan-changes.js';
import { addressKey } from '../../../src/resources.js';
import { Secret } from '../../../src/secret.js';
import { ACCOUNT, hexId, input, peer, token, tsig } from './builders.js';
import { applied } from './world.js';

export const TSIG_VALUE = 'dHNpZy1zZWNyZXQtZm9yLXJlbmRlci10ZXN0cy0wMQ==';
export const OLD_TSIG_VALUE = 'b2xkLXRzaWctc2VjcmV0LWZvci1yZW5kZXItdGVzdHM=';
export const TOKEN_VALUE = 'cfat_RenderTestTokenValue0123456789abcdefXYZ';

/** What the last apply recorded, and the config of the pull request: a sink re-pointed and added, a guardrail dropped. */
const APPLIED_CONFIG: ResolvedConfig = {
  ...defaultConfig(),
  policy: { tokenMaxLifetimeDays: 90, forbiddenPermissionGroups: ['Account API Tokens Write'] },
};
const CHANGED_CONFIG: Partial<ResolvedConfig> = {
  sinks: {
    local: { type: 'file', path: '/tmp/elsewhere.json', format: 'json' },
    gh: {
      type: 'github-actions',
      repository: 'someone/else',
      tokenEnv: 'GITHUB_TOKEN',
      apiUrl: 'https://api.github.com',
    },
  },
  policy: { forbiddenPermissionGroups: ['Account API Tokens Write'] },
};

/** A plan with every action, built from inputs that hold real secret values. */
export function richPlan() {
  const t = tsig('axfr');
  const p = peer('ns1', { tsig: 'axfr' });
  const kept = token('kept');
  const rolled = token('rolled');
  const replaced = token('replaced');
  const leaked = token('leaked');
  const guarded = token('guarded', {}, { annotations: { 'cfgitops.dev/prevent-destroy': 'true' } });
  const gone = peer('gone');
  const forgotten = tsig('forgotten');
  const adoptee = token('adoptee');
  const fresh = token('fresh', { expires_on: '2027-01-01T00:00:00Z' });
  const secrets = new Map([
    [addressKey(t.address), new Secret(TSIG_VALUE)],
    [addressKey(forgotten.address), new Secret(TSIG_VALUE)],
  ]);
  const w = applied([t, p, kept, rolled, replaced, leaked, guarded, gone, forgotten], secrets, APPLIED_CONFIG);
  const acc = w.live.accounts[ACCOUNT]!;
  acc.tsigs[0]!.secret = new Secret(OLD_TSIG_VALUE);
  acc.tsigs = acc.tsigs.filter((x) => x.name !== forgotten.spec.name);
  acc.peers[0]!.ip = '192.0.2.99';
  const tok = (n: string) => acc.tokens.find((x) => x.name === n)!;
  tok(replaced.spec.name).status = 'expired';
  tok(leaked.spec.name).status = 'revoked (exposed)';
  tok(guarded.spec.name).status = 'revoked (exposed)';
  w.state.resources[addressKey(rolled.address)]!.value_status = 'undelivered';
  // A token value leaked into a field the planner copies: the scrubber must still catch it.
  new Secret(TOKEN_VALUE);
  tok(kept.spec.name).name = `kept ${TOKEN_VALUE}`;
  const unmanaged: CfToken = { id: hexId('adoptee'), name: adoptee.spec.name, status: 'active', policies: [] };
  acc.tokens.push(unmanaged);
  const desired = [t, p, kept, rolled, replaced, leaked, guarded, adoptee, fresh];
  return planChanges(
    input({
      desired,
      secrets,
      state: w.state,
      live: w.live,
      options: { prune: true, allowMassDelete: true },
      config: CHANGED_CONFIG,
    }),
  );
}
