/**
 * One row per error class: the loader reports it with a stable code at file:line:col, and keeps going.
 */
import { describe, expect, test } from 'vitest';
import { readManifests } from '../../../src/manifest/load-manifests.js';
import { memoryFs } from './memory-fs.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const CONFIG = `apiVersion: cfgitops.dev/v1
kind: Config
spec:
  accounts:
    main: "${ACCOUNT}"
`;

const tsig = (
  name = 'k1',
  secret = '{fromEnv: TSIG_K1}',
  cfName = `${name}.example.com.`,
) => `apiVersion: cfgitops.dev/v1
kind: SecondaryDnsTsig
metadata:
  name: ${name}
  account: main
spec:
  name: ${cfName}
  algo: hmac-sha256.
  secret: ${secret}
`;

const token = (specExtra = '', name = 't1') => `apiVersion: cfgitops.dev/v1
kind: AccountToken
metadata:
  name: ${name}
  account: main
spec:
  name: ${name} token
  policies:
    - effect: allow
      permission_groups: [{name: DNS Read}]
      resources: {com.cloudflare.api.account.zone.*: "*"}
${specExtra}`;

async function load(files: Record<string, string | Uint8Array>) {
  const fs = memoryFs(
    Object.fromEntries(Object.entries({ 'cfgitops.yaml': CONFIG, ...files }).map(([p, c]) => [`/repo/m/${p}`, c])),
    ['/repo/.git'],
  );
  return readManifests('m', { fs, cwd: '/repo', now: NOW });
}

const cases: {
  name: string;
  files: Record<string, string | Uint8Array>;
  code: string;
  at: [string, number, number];
}[] = [
  { name: 'YAML syntax error', files: { 'a.yaml': 'a: [1, 2\nb: 3\n' }, code: 'E_YAML_SYNTAX', at: ['m/a.yaml', 2, 1] },
  {
    name: 'duplicate key',
    files: { 'a.yaml': 'a: 1\nb: 2\na: 3\n' },
    code: 'E_YAML_DUPLICATE_KEY',
    at: ['m/a.yaml', 3, 1],
  },
  { name: 'tab indentation', files: { 'a.yaml': 'a:\n\tb: 1\n' }, code: 'E_YAML_TAB', at: ['m/a.yaml', 2, 1] },
  {
    name: 'non-UTF-8 bytes',
    files: { 'a.yaml': new Uint8Array([0x61, 0x3a, 0x0a, 0x62, 0x3a, 0x20, 0xff, 0x0a]) },
    code: 'E_FILE_ENCODING',
    at: ['m/a.yaml', 2, 4],
  },
  {
    name: 'alias bomb',
    files: {
      'a.yaml':
        'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n' +
        'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n',
    },
    code: 'E_YAML_ALIAS_LIMIT',
    at: ['m/a.yaml', 1, 1],
  },
  { name: 'empty file', files: { 'a.yaml': '  \n' }, code: 'E_DOC_EMPTY', at: ['m/a.yaml', 1, 1] },
  { name: 'document is a list', files: { 'a.yaml': '# c\n- a\n- b\n' }, code: 'E_DOC_NOT_MAP', at: ['m/a.yaml', 2, 1] },
  {
    name: 'document is a scalar after an empty one',
    files: { 'a.yaml': '---\n---\nhello\n' },
    code: 'E_DOC_NOT_MAP',
    at: ['m/a.yaml', 3, 1],
  },
  {
    name: 'unknown kind',
    files: { 'a.yaml': tsig().replace('kind: SecondaryDnsTsig', 'kind: AccountTokens') },
    code: 'E_UNKNOWN_KIND',
    at: ['m/a.yaml', 2, 7],
  },
  {
    name: 'unknown apiVersion',
    files: { 'a.yaml': tsig().replace('cfgitops.dev/v1', 'cfgitops.dev/v2') },
    code: 'E_UNKNOWN_API_VERSION',
    at: ['m/a.yaml', 1, 13],
  },
  {
    name: 'inline TSIG secret',
    files: { 'a.yaml': tsig('k1', 'c2VjcmV0LXZhbHVlLTEyMzQ1Ng==') },
    code: 'E_INLINE_SECRET',
    at: ['m/a.yaml', 9, 11],
  },
  {
    name: 'inline token value',
    files: { 'a.yaml': token('  value: abcdefghijklmnop\n') },
    code: 'E_INLINE_SECRET',
    at: ['m/a.yaml', 12, 10],
  },
  {
    name: 'enum value',
    files: { 'a.yaml': tsig().replace('hmac-sha256.', 'hmac-sha256') },
    code: 'E_SCHEMA',
    at: ['m/a.yaml', 8, 9],
  },
  {
    name: 'unknown field (points at the key)',
    files: { 'a.yaml': token('  colour: red\n') },
    code: 'E_SCHEMA',
    at: ['m/a.yaml', 12, 3],
  },
  {
    name: 'missing required field (points at the parent)',
    files: { 'a.yaml': token().replace('      resources: {com.cloudflare.api.account.zone.*: "*"}\n', '') },
    code: 'E_SCHEMA',
    at: ['m/a.yaml', 9, 7],
  },
  {
    name: 'bad CIDR',
    files: { 'a.yaml': token('  condition: {request_ip: {in: [10.0.0.0/33]}}\n') },
    code: 'E_SCHEMA',
    at: ['m/a.yaml', 12, 33],
  },
  {
    name: 'bad date-time',
    files: { 'a.yaml': token('  expires_on: 2030-01-01\n') },
    code: 'E_SCHEMA',
    at: ['m/a.yaml', 12, 15],
  },
  {
    name: 'peer port out of range',
    files: {
      'a.yaml':
        'apiVersion: cfgitops.dev/v1\nkind: SecondaryDnsPeer\nmetadata: {name: p1, account: main}\n' +
        'spec:\n  name: p1\n  port: 70000\n',
    },
    code: 'E_SCHEMA',
    at: ['m/a.yaml', 6, 9],
  },
  {
    name: 'expires_on before not_before',
    files: { 'a.yaml': token('  not_before: 2031-01-01T00:00:00Z\n  expires_on: 2030-01-01T00:00:00Z\n') },
    code: 'E_TIME_RANGE',
    at: ['m/a.yaml', 13, 15],
  },
  {
    name: 'expires_on already past',
    files: { 'a.yaml': token('  expires_on: 2026-05-31T23:59:59Z\n') },
    code: 'E_TIME_RANGE',
    at: ['m/a.yaml', 12, 15],
  },
  {
    name: 'unknown account alias',
    files: { 'a.yaml': tsig().replace('account: main', 'account: mian') },
    code: 'E_UNKNOWN_ACCOUNT',
    at: ['m/a.yaml', 5, 12],
  },
  {
    name: 'unknown sink',
    files: { 'a.yaml': token('  secret: {sink: vault}\n') },
    code: 'E_SINK_UNKNOWN',
    at: ['m/a.yaml', 12, 18],
  },
  {
    name: 'duplicate resource across files (reported at the second)',
    files: { 'a.yaml': tsig('k1'), 'b.yaml': tsig('k1', undefined, 'other.example.com.') },
    code: 'E_DUPLICATE_RESOURCE',
    at: ['m/b.yaml', 4, 9],
  },
  {
    name: 'duplicate Cloudflare name',
    files: { 'a.yaml': `${tsig('k1', undefined, 'same.')}---\n${tsig('k2', undefined, 'same.')}` },
    code: 'E_DUPLICATE_CF_NAME',
    at: ['m/a.yaml', 17, 9],
  },
  {
    name: 'unresolved tsig reference',
    files: {
      'a.yaml':
        'apiVersion: cfgitops.dev/v1\nkind: SecondaryDnsPeer\nmetadata: {name: p1, account: main}\n' +
        'spec:\n  name: p1\n  tsig: k9\n',
    },
    code: 'E_UNRESOLVED_REFERENCE',
    at: ['m/a.yaml', 6, 9],
  },
  {
    name: 'fromFile escaping the repository',
    files: { 'a.yaml': tsig('k1', '{fromFile: ../../etc/passwd}') },
    code: 'E_PATH_ESCAPE',
    at: ['m/a.yaml', 9, 22],
  },
  {
    name: 'two Config documents',
    files: { 'b.yaml': 'apiVersion: cfgitops.dev/v1\nkind: Config\n' },
    code: 'E_DUPLICATE_CONFIG',
    at: ['m/cfgitops.yaml', 1, 1],
  },
  {
    name: 'default sink not configured',
    files: {
      'cfgitops.yaml': `${CONFIG}  secrets:\n    default: vault\n`,
    },
    code: 'E_CONFIG',
    at: ['m/cfgitops.yaml', 7, 14],
  },
  {
    name: 'config schema error',
    files: { 'cfgitops.yaml': `${CONFIG}  state: {backend: ftp}\n` },
    code: 'E_SCHEMA',
    at: ['m/cfgitops.yaml', 6, 20],
  },
  {
    name: 'file over the size cap',
    files: { 'a.yaml': `# ${'x'.repeat(5 * 1024 * 1024)}\n` },
    code: 'E_FILE_TOO_LARGE',
    at: ['m/a.yaml', 1, 1],
  },
];

describe('loader errors', () => {
  test.each(cases)('GIVEN $name WHEN loading THEN $code at $at', async ({ files, code, at }) => {
    const result = await load(files);
    expect(result.manifests).toBeUndefined();
    const found = result.errors.map((e) => ({
      code: e.code,
      at: [e.location?.file, e.location?.line, e.location?.col],
    }));
    expect(found).toContainEqual({ code, at });
    for (const e of result.errors) expect(e.hint).toBeTruthy();
  });

  test('GIVEN errors in several files WHEN loading THEN every one is reported, sorted by place', async () => {
    const result = await load({
      'a.yaml': tsig().replace('hmac-sha256.', 'nope'),
      'b.yaml': 'a: 1\na: 2\n',
      'c.yaml': token('  expires_on: 2001-01-01T00:00:00Z\n'),
    });
    expect(result.errors.map((e) => [e.code, e.location?.file])).toEqual([
      ['E_SCHEMA', 'm/a.yaml'],
      ['E_YAML_DUPLICATE_KEY', 'm/b.yaml'],
      ['E_TIME_RANGE', 'm/c.yaml'],
    ]);
  });

  test('GIVEN an inline secret WHEN reported THEN the value appears in no message or hint', async () => {
    const value = 'c2VjcmV0LXZhbHVlLTEyMzQ1Ng==';
    const result = await load({ 'a.yaml': tsig('k1', value), 'b.yaml': token(`  value: ${value}\n`) });
    const text = JSON.stringify(result.errors.map((e) => e.toJSON()));
    expect(result.errors.length).toBeGreaterThanOrEqual(2);
    expect(text).not.toContain(value);
  });

  test('GIVEN a missing directory WHEN loading THEN E_FILE_READ saying so, with no line:col and the default hint', async () => {
    const result = await readManifests('nope', { fs: memoryFs({}), cwd: '/repo', now: NOW });
    expect(result.errors.map((e) => e.code)).toEqual(['E_FILE_READ']);
    expect(result.errors[0]?.location).toBeUndefined();
    expect(result.errors[0]?.format()).toMatch(/^no such file or directory: nope \(.*desired-state/);
  });

  test('GIVEN a missing path and a caller hint WHEN loading THEN that hint', async () => {
    const missingHint = 'give a saved plan from `plan --out`, or a manifest directory';
    const result = await readManifests('missing.json', { fs: memoryFs({}), cwd: '/repo', now: NOW, missingHint });
    expect(result.errors.map((e) => [e.code, e.location, e.hint])).toEqual([['E_FILE_READ', undefined, missingHint]]);
  });

  test('GIVEN a misspelt kind WHEN reported THEN the hint suggests the right one', async () => {
    const result = await load({ 'a.yaml': tsig().replace('kind: SecondaryDnsTsig', 'kind: secondarydnstsig') });
    expect(result.errors[0]?.hint).toContain('SecondaryDnsTsig');
  });

  test('GIVEN a file with only comments and empty documents WHEN loading THEN it is valid and contributes nothing', async () => {
    const result = await load({ 'a.yaml': '# disabled\n---\n# nothing\n---\n', 'b.yaml': `---\n${tsig()}---\n` });
    expect(result.errors).toEqual([]);
    expect(result.manifests?.resources.map((r) => r.address.name)).toEqual(['k1']);
  });

  const withResources = (resources: string) =>
    token().replace('      resources: {com.cloudflare.api.account.zone.*: "*"}\n', `      resources: ${resources}\n`);
  const ZONE = 'fedcba9876543210fedcba9876543210';

  test.each([
    { what: 'a misspelt account key', resources: '{com.cloudflare.api.acount.zone.*: "*"}' },
    { what: 'a short account id', resources: '{com.cloudflare.api.account.0123: "*"}' },
    { what: 'an upper-case zone id', resources: `{com.cloudflare.api.account.zone.${ZONE.toUpperCase()}: "*"}` },
    { what: 'a bare prefix', resources: '{com.cloudflare.api.account: "*"}' },
    { what: 'a user wildcard', resources: '{com.cloudflare.api.user.*: "*"}' },
    {
      what: 'a nested map of accounts',
      resources: `{com.cloudflare.api.account.${ACCOUNT}: {com.cloudflare.api.account.${ACCOUNT}: "*"}}`,
    },
    {
      what: 'a map nested under a zone',
      resources: `{com.cloudflare.api.account.zone.*: {com.cloudflare.api.account.zone.${ZONE}: "*"}}`,
    },
  ])(
    'GIVEN $what in policy resources WHEN loading THEN E_SCHEMA at line 11 with a hint naming the shapes',
    async ({ resources }) => {
      const result = await load({ 'a.yaml': withResources(resources) });
      expect(result.manifests).toBeUndefined();
      expect(result.errors.map((e) => [e.code, e.location?.line])).toEqual([['E_SCHEMA', 11]]);
      expect(result.errors[0]?.hint).toMatch(/com\.cloudflare\.api\.account\.zone\./);
    },
  );

  test.each([
    { what: 'an account id', resources: `{com.cloudflare.api.account.${ACCOUNT}: "*"}` },
    { what: 'all accounts', resources: '{com.cloudflare.api.account.*: "*"}' },
    { what: 'a zone id and a zone wildcard', resources: `{com.cloudflare.api.account.zone.${ZONE}: "*"}` },
    { what: 'a user id', resources: `{com.cloudflare.api.user.${ACCOUNT}: "*"}` },
    {
      what: 'zones nested under an account',
      resources: `{com.cloudflare.api.account.${ACCOUNT}: {com.cloudflare.api.account.zone.*: "*", com.cloudflare.api.account.zone.${ZONE}: "*"}}`,
    },
  ])('GIVEN $what in policy resources WHEN loading THEN valid', async ({ resources }) => {
    const result = await load({ 'a.yaml': withResources(resources) });
    expect(result.errors).toEqual([]);
  });
});
