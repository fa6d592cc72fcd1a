/**
 * Shared by the export tests: make live resources the way a person clicking in the dashboard (or a script) would —
 * straight through the emulator's API, never through cfgitops — and read back what `cfgitops export` wrote.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import type { HttpResult, TestEmulator } from '../../support/emulator.js';
import type { Workspace } from '../../support/workspace.js';

export interface LiveTsig {
  name: string;
  algo: string;
  secret: string;
}

export interface LivePeer {
  name: string;
  ip?: string;
  port?: number;
  ixfr_enable?: boolean;
  /** Index into the account's TSIGs. */
  tsig?: number;
}

export interface LiveToken {
  name: string;
  policies: { effect: 'allow' | 'deny'; permission_groups: { id: string }[]; resources: Record<string, unknown> }[];
  condition?: { request_ip: { in?: string[]; not_in?: string[] } };
  not_before?: string;
  expires_on?: string;
  status?: 'active' | 'disabled';
  /** Marked `revoked (exposed)` through the control API after creation. */
  revoked?: boolean;
}

export interface LiveAccountSpec {
  tsigs: LiveTsig[];
  peers: LivePeer[];
  tokens: LiveToken[];
}

export interface CreatedAccount {
  /** TSIG id → its secret (what a user would export for the fromEnv reference). */
  tsigSecrets: Map<string, string>;
  tokenIds: string[];
  revoked: number;
}

async function ok(res: Promise<HttpResult>, what: string): Promise<{ id: string }> {
  const r = await res;
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBe(200);
  return (r.body as { result: { id: string } }).result;
}

export async function createLiveAccount(
  emulator: TestEmulator,
  account: string,
  spec: LiveAccountSpec,
): Promise<CreatedAccount> {
  const base = `/accounts/${account}`;
  const tsigSecrets = new Map<string, string>();
  const tsigIds: string[] = [];
  for (const t of spec.tsigs) {
    const created = await ok(emulator.api('POST', `${base}/secondary_dns/tsigs`, t), `create TSIG ${t.name}`);
    tsigIds.push(created.id);
    tsigSecrets.set(created.id, t.secret);
  }
  for (const p of spec.peers) {
    const created = await ok(
      emulator.api('POST', `${base}/secondary_dns/peers`, { name: p.name }),
      `create peer ${p.name}`,
    );
    const { tsig, ...fields } = p;
    const body = { ...fields, ...(tsig !== undefined ? { tsig_id: tsigIds[tsig] } : {}) };
    if (Object.keys(body).length > 1) {
      await ok(emulator.api('PUT', `${base}/secondary_dns/peers/${created.id}`, body), `update peer ${p.name}`);
    }
  }
  const tokenIds: string[] = [];
  let revoked = 0;
  for (const t of spec.tokens) {
    const { revoked: revoke, status, ...body } = t;
    const created = await ok(emulator.api('POST', `${base}/tokens`, body), `create token ${t.name}`);
    tokenIds.push(created.id);
    // A create takes no status (NOTES.md): set it afterwards, as the dashboard does.
    const later = revoke === true ? 'revoked (exposed)' : status === 'disabled' ? 'disabled' : undefined;
    if (revoke === true) revoked++;
    if (later !== undefined) {
      const r = await emulator.control('PUT', `${base}/tokens/${created.id}/status`, { status: later });
      expect(r.status).toBe(200);
    }
  }
  return { tsigSecrets, tokenIds, revoked };
}

/** A repository with only a Config naming the account `main` (or no alias at all: then `--account ID`). */
export async function configOnly(ws: Workspace, account: string, dir = 'desired-state', alias = true): Promise<void> {
  const spec = alias ? `spec:\n  accounts:\n    main: ${account}\n` : 'spec: {}\n';
  await ws.write(`${dir}/cfgitops.yaml`, `apiVersion: cfgitops.dev/v1\nkind: Config\n${spec}`);
}

/** Every file under `dir` (relative paths → text), for byte comparisons. */
export async function readTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const abs = join(dir, e.name);
      if (e.isDirectory()) await walk(abs);
      else out[relative(root, abs)] = await readFile(abs, 'utf8');
    }
  };
  await walk(root);
  return out;
}

export interface ExportReport {
  files: { path: string; action: string; kind: string; resources: number; leftAlone: string[] }[];
  exported: { kind: string; account: string; name: string; id: string; cf_name: string }[];
  skipped: { kind: string; id: string; cf_name: string; reason: string; error?: { code: string } }[];
  managed: number;
  secrets: { account: string; tsig: string; fromEnv?: string; fromFile?: string }[];
}

export interface PlanJson {
  steps: { action: string; address: { kind: string; name: string }; diff: unknown[]; rollValue?: boolean }[];
  summary: { hasChanges: boolean };
}
