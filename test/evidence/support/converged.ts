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
  /** Zones Cloudflare is secondary for, by name, each with the names of the peers it transfers from. */
  incoming: readonly { zone: string; peers: readonly string[] }[];
}

/** The example manifests under desired-state/ (copied into every workspace). */
export const EXAMPLE_DESIRED: Desired = {
  tokens: ['cfgitops CI DNS edit', 'cfgitops logs reader', 'cfgitops zone read-only'],
  peers: ['ns1.example.com', 'ns2.example.com'],
  tsigs: ['tsig.ns1.example.com.'],
  sinkKeys: ['CI_DNS_EDIT_TOKEN', 'logs-reader', 'zone-readonly'],
  incoming: [{ zone: 'example.com', peers: ['ns1.example.com', 'ns2.example.com'] }],
};

interface LiveAccount {
  tokens?: { id: string; name: string; value_sha256?: string }[];
  peers?: { id: string; name: string }[];
  tsigs?: { id: string; name: string }[];
  zones?: { id: string; name: string; incoming?: { peers: string[] } }[];
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

  const peerName = new Map((live.peers ?? []).map((p) => [p.id, p.name]));
  const linked = (live.zones ?? []).filter((z) => z.incoming !== undefined);
  const gotLinks = linked.map(
    (z) =>
      `${z.name} ← ${z
        .incoming!.peers.map((id) => peerName.get(id) ?? id)
        .sort()
        .join(', ')}`,
  );
  const wantLinks = desired.incoming.map((l) => `${l.zone} ← ${[...l.peers].sort().join(', ')}`);
  if (JSON.stringify(gotLinks.sort()) !== JSON.stringify(wantLinks.sort())) {
    problems.push(`live incoming zone links ${JSON.stringify(gotLinks)} ≠ desired ${JSON.stringify(wantLinks)}`);
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
  const liveIds = [...(live.tokens ?? []), ...(live.peers ?? []), ...(live.tsigs ?? []), ...linked].map((r) => r.id);
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

interface LiveToken {
  id: string;
  name: string;
  status: string;
  expires_on?: string;
  value_sha256?: string;
}

interface RecordedToken {
  id: string;
  kind: string;
  value_status?: string;
  sink?: { key: string };
  predecessor?: { id: string; cf_name: string; expires_on?: string };
}

/**
 * "Converged" after crashed overlap rotations (issue 14): every sink key holds the value of its recorded token,
 * which is live, active and not past its expiry on the emulator's clock; exactly one live token per desired name
 * (no duplicate successor); at most one predecessor per token, bounded, renamed, and expiring no later than
 * `graceMs` from now; nothing live that state does not name (no orphan); no pending intent; peers and TSIGs as
 * desired.
 */
export async function rotationProblems(
  emulator: TestEmulator,
  ws: Workspace,
  desired: Desired,
  graceMs: number,
  account = EXAMPLE_ACCOUNT,
): Promise<string[]> {
  const problems: string[] = [];
  const res = await emulator.control('GET', `/resources?account=${account}&secrets=1`);
  const live =
    (res.body as { accounts: Record<string, LiveAccount & { tokens?: LiveToken[] }> }).accounts[account] ?? {};
  const tokens = (live.tokens ?? []) as LiveToken[];
  const emulatorNow = ((await emulator.control('GET', '/clock')).body as { nowMs: number }).nowMs;
  for (const [kind, items, names] of [
    ['peer', live.peers ?? [], desired.peers],
    ['tsig', live.tsigs ?? [], desired.tsigs],
  ] as const) {
    const got = items.map((i) => i.name).sort();
    if (JSON.stringify(got) !== JSON.stringify([...names].sort()))
      problems.push(`live ${kind}s ${JSON.stringify(got)}`);
  }
  for (const name of desired.tokens) {
    const n = tokens.filter((t) => t.name === name).length;
    if (n !== 1) problems.push(`${n} live tokens named "${name}" (duplicate successor or missing)`);
  }
  let state: { resources?: Record<string, RecordedToken>; pending?: Record<string, unknown> };
  try {
    state = await ws.stateFile();
  } catch (e) {
    return [...problems, `state does not parse: ${(e as Error).message}`];
  }
  if (Object.keys(state.pending ?? {}).length > 0)
    problems.push(`state has pending intents after convergence: ${JSON.stringify(state.pending)}`);
  const named = new Set<string>();
  const values = await ws.sinkValues();
  for (const [key, rec] of Object.entries(state.resources ?? {})) {
    named.add(rec.id);
    if (rec.kind !== 'AccountToken') continue;
    const token = tokens.find((t) => t.id === rec.id);
    if (!token) {
      problems.push(`state ${key} names ${rec.id}, which is not live`);
      continue;
    }
    const value = rec.sink ? values[rec.sink.key] : undefined;
    const hash = value === undefined ? undefined : createHash('sha256').update(value).digest('hex');
    if (rec.value_status !== 'delivered' || hash !== token.value_sha256) {
      problems.push(
        `sink ${rec.sink?.key ?? '?'} does not hold the current value of ${key} (${rec.value_status ?? '?'})`,
      );
    }
    const works =
      token.status === 'active' && (token.expires_on === undefined || Date.parse(token.expires_on) > emulatorNow);
    if (!works)
      problems.push(`${key}'s token ${rec.id} does not work (${token.status}, expires ${token.expires_on ?? 'never'})`);
    const retired = tokens.filter((t) => t.name.startsWith(`${token.name} (retired, generation `));
    if (retired.length > 1) problems.push(`${retired.length} predecessors of ${key} are live`);
    const pred = rec.predecessor;
    if (!pred) {
      if (retired.length > 0) problems.push(`orphan predecessor(s) of ${key}: ${retired.map((t) => t.id).join(', ')}`);
      continue;
    }
    named.add(pred.id);
    const predLive = tokens.find((t) => t.id === pred.id);
    if (pred.expires_on === undefined) problems.push(`${key}'s predecessor ${pred.id} is not bounded`);
    if (!predLive) continue;
    if (predLive.name !== pred.cf_name)
      problems.push(`${key}'s predecessor is named "${predLive.name}", not "${pred.cf_name}"`);
    const expires = predLive.expires_on === undefined ? Infinity : Date.parse(predLive.expires_on);
    if (!(expires <= Date.now() + graceMs)) {
      problems.push(`${key}'s predecessor ${pred.id} expires ${predLive.expires_on ?? 'never'}, later than its grace`);
    }
  }
  for (const t of tokens)
    if (!named.has(t.id)) problems.push(`orphan: live token ${t.id} ("${t.name}") is not in state`);
  const keys = Object.keys(values).sort();
  if (JSON.stringify(keys) !== JSON.stringify([...desired.sinkKeys].sort()))
    problems.push(`sink keys ${JSON.stringify(keys)}`);
  return problems;
}
