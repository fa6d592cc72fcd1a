/**
 * Shared by the workflow tests: one emulator per file, a fresh example workspace per test, and helpers to edit the
 * recorded state and count what reached the API.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestEmulator } from '../../support/emulator.js';
import type { Workspace } from '../../support/workspace.js';

/** The operations of src/contract/openapi.json that read; every other one writes. */
export const READ_OPERATIONS = new Set([
  'account-api-tokens-list-tokens',
  'account-api-tokens-token-details',
  'account-api-tokens-verify-token',
  'account-api-tokens-list-permission-groups',
  'secondary-dns-(-peer)-list-peers',
  'secondary-dns-(-peer)-peer-details',
  'secondary-dns-(-tsig)-list-tsi-gs',
  'secondary-dns-(-tsig)-tsig-details',
  'secondary-dns-(-secondary-zone)-secondary-zone-configuration-details',
  'secondary-dns-(-primary-zone)-primary-zone-configuration-details',
  'secondary-dns-(-primary-zone)-get-outgoing-zone-transfer-status',
  'secondary-dns-(-acl)-list-ac-ls',
  'secondary-dns-(-acl)-acl-details',
]);

export interface RequestCounts {
  total: number;
  byOperation: Record<string, Record<string, number>>;
}

export async function requestCounts(emulator: TestEmulator): Promise<RequestCounts> {
  return (await emulator.control('GET', '/requests')).body as RequestCounts;
}

/** Operations called between two snapshots, with how often. */
export function callsBetween(before: RequestCounts, after: RequestCounts): Record<string, number> {
  const sum = (c: RequestCounts, op: string): number =>
    Object.values(c.byOperation[op] ?? {}).reduce((a, b) => a + b, 0);
  const calls: Record<string, number> = {};
  for (const op of Object.keys(after.byOperation)) {
    const n = sum(after, op) - sum(before, op);
    if (n > 0) calls[op] = n;
  }
  return calls;
}

type StateJson = {
  resources: Record<string, Record<string, unknown>>;
  pending: Record<string, Record<string, unknown>>;
} & Record<string, unknown>;

/** Edits the file state the way a crashed or older run would have left it (no lock is held between commands). */
export async function editState(ws: Workspace, edit: (state: StateJson) => void): Promise<void> {
  const path = join(ws.dir, '.cfgitops/state.json');
  const state = JSON.parse(await readFile(path, 'utf8')) as StateJson;
  edit(state);
  await writeFile(path, JSON.stringify(state, null, 2));
}

export function tokenKey(account: string, name: string): string {
  return `AccountToken/${account}/${name}`;
}
