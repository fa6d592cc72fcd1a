/**
 * The snapshot of the reviewed config (secret sinks and guardrails) that a successful apply records in state, so the
 * next plan can show what changed since. Only settings, never a secret: config holds none (a GitHub sink names the
 * env var with its token, an age sink lists public recipients).
 */
import { sha256 } from '../sha256.js';
import { canonicalJson } from '../config/config-digest.js';
import type { ResolvedConfig } from '../config/types.js';
import type { AppliedConfig } from './types.js';

export function appliedConfigOf(config: ResolvedConfig, appliedAt: string): AppliedConfig {
  // Through JSON: undefined members are dropped, so the snapshot equals what any backend reads back.
  const reviewed = JSON.parse(
    JSON.stringify({ defaultSink: config.defaultSink, sinks: config.sinks, policy: config.policy }),
  ) as Pick<AppliedConfig, 'defaultSink' | 'sinks' | 'policy'>;
  const digest = sha256().update(canonicalJson(reviewed)).digest('hex');
  return { digest, ...reviewed, applied_at: appliedAt };
}
