/**
 * Issue 13, defect 6, end to end: adding one permission group showed two ~250-character JSON arrays, and addresses
 * carried the 32-hex account id even where the Config names it (`state show AccountToken/main/ci-dns-edit` was
 * E_STATE_NOT_FOUND). Now the plan lists what changed one member per line under the alias, and every command takes
 * the alias or the id.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { useE2eWorld } from '../../support/e2e-world.js';

const world = useE2eWorld();
const { cli } = world;
const ACCOUNT = '0123456789abcdef0123456789abcdef';

const addDnsRead = async () => {
  const text = await world.ws.read('desired-state/tokens.yaml');
  const from = '        - name: DNS Write\n        - name: Zone Read\n';
  expect(text).toContain(from);
  await world.ws.write('desired-state/tokens.yaml', text.replace(from, `${from}        - name: DNS Read\n`));
};

describe('GIVEN the applied example', () => {
  beforeEach(async () => {
    const r = await cli('apply', '--auto-approve');
    expect(r.code, r.stderr).toBe(0);
  });

  test('WHEN one permission group is added THEN text and markdown plans list that group on its own line, under the alias', async () => {
    await addDnsRead();
    const text = await cli('plan', '--detailed-exitcode');
    expect(text.code, text.stderr).toBe(2);
    const lines = text.stdout.split('\n').map((l) => l.trim());
    const title = lines.findIndex((l) => l.startsWith('~ update AccountToken/main/ci-dns-edit'));
    expect(title, text.stdout).toBeGreaterThanOrEqual(0);
    const block = lines.slice(title, lines.indexOf('', title));
    expect(block).toContain('+ /policies/0/permission_groups:');
    expect(block).toContain('+     DNS Read');
    expect(block.slice(1).filter((l) => /^[+~-] /.test(l))).toHaveLength(2);
    expect(text.stdout).not.toContain('[{');

    const md = await cli('plan', '--format', 'markdown');
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain('<code>AccountToken/main/ci-dns-edit</code>');
    expect(md.stdout).toContain('+ /policies/0/permission_groups:\n+     DNS Read\n');
    expect(md.stdout).not.toContain('[{');

    const json = JSON.parse((await cli('plan', '--format', 'json')).stdout) as {
      target: { accounts: Record<string, string> };
      steps: { action: string; address: { account: string }; diff: unknown[] }[];
    };
    expect(json.target.accounts).toEqual({ main: ACCOUNT });
    const update = json.steps.find((s) => s.action === 'update');
    expect(update?.address.account).toBe(ACCOUNT);
    expect(update?.diff).toEqual([{ path: '/policies/0/permission_groups', added: ['DNS Read'] }]);
  });

  test.each([`AccountToken/main/ci-dns-edit`, `AccountToken/${ACCOUNT}/ci-dns-edit`])(
    'WHEN state show is given %s THEN it finds the token (alias or id)',
    async (address) => {
      const r = await cli('state', 'show', address, '--format', 'json');
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'AccountToken', account: ACCOUNT, name: 'ci-dns-edit' });
    },
  );

  test('WHEN state list runs THEN addresses show the alias', async () => {
    const r = await cli('state', 'list');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('AccountToken/main/ci-dns-edit  ');
    expect(r.stdout).not.toContain(`AccountToken/${ACCOUNT}/`);
  });

  test('WHEN state rm is given the alias form THEN that token is forgotten', async () => {
    const r = await cli('state', 'rm', 'AccountToken/main/ci-dns-edit');
    expect(r.code, r.stderr).toBe(0);
    const state = await world.ws.stateFile();
    expect(Object.keys(state.resources)).not.toContain(`AccountToken/${ACCOUNT}/ci-dns-edit`);
  });
});
