/**
 * What "converged" means after any crash or fault: live equals desired exactly once, nothing cfgitops created is
 * unknown to state, every token value in its sink is the token's current value, and state holds no pending intent.
 * Returns problems as data (empty when converged) so a trial can report every one of them with its seed.
 */
import { createHash } from 'node:crypto';
import type { TestEmulator } from '../../support/emulator.js';
import { EXAMPLE_ACCOUNT, type Workspace } from '../../support/workspace.js';

export interface Desired {
  tokens: readonly string[];
  peers: readonly string[];
  tsigs: readonly string[];
  /** Sink keys that must hold a current token value. */
  sinkKeys: readonly string[];
}

/** The example manifests under desired-state/ (copied into every workspace). */
export const EXAMPLE_DESIRED: Desired = {
  tokens: ['cfgitops CI DNS edit', 'cfgitops logs reader', 'cfgitops zone read-only'],
  peers: ['ns1.example.com', 'ns2.example.com'],
  tsigs: ['tsig.ns1.example.com.'],
  sinkKeys: ['CI_DNS_EDIT_TOKEN', 'logs-reader', 'zone-readonly'],
};

interface LiveAccount {
  tokens?: { id: string; name: string; value_sha256?: string }[];
  peers?: { id: string; name: string }[];
  tsigs?: { id: string; name: string }[];
}

export async function convergenceProblems(
  emulator: TestEmulator,
  ws: Workspace,
  desired: Desired,
  account = EXAMPLE_ACCOUNT,
): Promise<string[]> {
  const problems: string[] = [];
  const res = await emulator.control('GET', `/resources?account=${account}&secrets=1`);
  const live = (res.body as { accounts: Record<string, LiveAccount> }).accounts[account] ?? {};
  const kinds = [
    ['token', live.tokens ?? [], desired.tokens],
    ['peer', live.peers ?? [], desired.peers],
    ['tsig', live.tsigs ?? [], desired.tsigs],
  ] as const;
  for (const [kind, items, names] of kinds) {
    const got = items.map((i) => i.name).sort();
    const want = [...names].sort();
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      problems.push(
        `live ${kind}s ${JSON.stringify(got)} ≠ desired ${JSON.stringify(want)} (duplicate, orphan or missing)`,
      );
    }
  }

  let state: { resources?: Record<string, { id?: string; complete?: boolean }>; pending?: Record<string, unknown> };
  try {
    state = await ws.stateFile();
  } catch (e) {
    return [...problems, `state does not parse: ${(e as Error).message}`];
  }
  if (Object.keys(state.pending ?? {}).length > 0) {
    problems.push(`state has pending intents after convergence: ${Object.keys(state.pending ?? {}).join(', ')}`);
  }
  const recorded = Object.entries(state.resources ?? {});
  for (const [key, r] of recorded) if (r.complete === false) problems.push(`state marks ${key} incomplete`);
  const stateIds = new Set(recorded.map(([, r]) => r.id));
  const liveIds = [...(live.tokens ?? []), ...(live.peers ?? []), ...(live.tsigs ?? [])].map((r) => r.id);
  for (const id of liveIds) if (!stateIds.has(id)) problems.push(`orphan: live resource ${id} is not in state`);
  for (const [key, r] of recorded)
    if (!liveIds.includes(r.id ?? '')) problems.push(`state ${key} names ${r.id} which is not live`);

  const values = await ws.sinkValues();
  const keys = Object.keys(values).sort();
  if (JSON.stringify(keys) !== JSON.stringify([...desired.sinkKeys].sort())) {
    problems.push(`sink keys ${JSON.stringify(keys)} ≠ ${JSON.stringify([...desired.sinkKeys].sort())}`);
  }
  const owners = new Set<string>();
  for (const [key, value] of Object.entries(values)) {
    const hash = createHash('sha256').update(value).digest('hex');
    const token = (live.tokens ?? []).find((t) => t.value_sha256 === hash);
    if (!token) problems.push(`sink ${key} does not hold the current value of any live token (lost or stale value)`);
    else if (owners.has(token.id)) problems.push(`two sink keys hold the value of token ${token.id}`);
    else owners.add(token.id);
  }
  return problems;
}
