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
    name: 'token CIDR with host bits set',
    files: { 'a.yaml': token('  condition: {request_ip: {in: [192.0.2.0/24, 10.0.0.1/8]}}\n') },
    code: 'E_CIDR_HOST_BITS',
    at: ['m/a.yaml', 12, 47],
  },
  {
    name: 'policy CIDR with host bits set',
    files: { 'cfgitops.yaml': `${CONFIG}  policy: {peerAllowedCidrs: [2001:db8::1/32]}\n` },
    code: 'E_CIDR_HOST_BITS',
    at: ['m/cfgitops.yaml', 6, 31],
  },
  {
    name: 'fromFile that does not exist',
    files: { 'a.yaml': tsig('k1', '{fromFile: keys/k1.key}') },
    code: 'E_SECRET_FILE',
    at: ['m/a.yaml', 9, 22],
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
      'c.yaml': token('  not_before: 2031-01-01T00:00:00Z\n  expires_on: 2001-01-01T00:00:00Z\n'),
    });
    expect(result.errors.map((e) => [e.code, e.location?.file])).toEqual([
      ['E_SCHEMA', 'm/a.yaml'],
      ['E_YAML_DUPLICATE_KEY', 'm/b.yaml'],
      ['E_TIME_RANGE', 'm/c.yaml'],
    ]);
  });

  test.each([
    ['10.0.0.1/8', '10.0.0.0/8'],
    ['192.0.2.77/24', '192.0.2.0/24'],
    ['2001:db8::1/32', '2001:db8::/32'],
  ])('GIVEN the CIDR %s WHEN loading THEN E_CIDR_HOST_BITS whose hint gives %s', async (cidr, network) => {
    const result = await load({ 'a.yaml': token(`  condition: {request_ip: {not_in: ["${cidr}"]}}\n`) });
    expect(result.errors.map((e) => [e.code, e.location?.pointer])).toEqual([
      ['E_CIDR_HOST_BITS', '/spec/condition/request_ip/not_in/0'],
    ]);
    expect(result.errors[0]?.hint).toContain(network);
  });

  test.each(['10.0.0.0/8', '10.0.0.1', '10.0.0.1/32', '2001:DB8::/32'])(
    'GIVEN the CIDR %s (no host bits) WHEN loading THEN it is valid',
    async (cidr) => {
      const result = await load({ 'a.yaml': token(`  condition: {request_ip: {in: ["${cidr}"]}}\n`) });
      expect(result.errors).toEqual([]);
    },
  );

  test('GIVEN an existing fromFile WHEN loading THEN it is valid (existence is all the loader checks)', async () => {
    const result = await load({ 'a.yaml': tsig('k1', '{fromFile: k1.key}'), 'k1.key': 'c2VjcmV0\n' });
    expect(result.errors).toEqual([]);
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

/**
 * Defect: documents with schema errors used to skip the cross-document and per-document checks, so the next run
 * showed a new batch of errors. Every check that has what it needs runs in the same pass.
 */
describe('validation in one pass', () => {
  const codesAt = (errors: readonly { code: string; location?: { file: string; line: number } | undefined }[]) =>
    errors.map((e) => [e.code, e.location?.file, e.location?.line]);
  const peer = (name: string, extra: string) =>
    `apiVersion: cfgitops.dev/v1\nkind: SecondaryDnsPeer\nmetadata: {name: ${name}, account: main}\n` +
    `spec:\n  name: ${name}\n${extra}`;

  test('GIVEN a schema error in one document and a duplicate name in another WHEN loading THEN both', async () => {
    const result = await load({
      'a.yaml': tsig('k1').replace('hmac-sha256.', 'nope'),
      'b.yaml': tsig('k1', undefined, 'other.example.com.'),
    });
    expect(codesAt(result.errors)).toEqual([
      ['E_SCHEMA', 'm/a.yaml', 8],
      ['E_DUPLICATE_RESOURCE', 'm/b.yaml', 4],
    ]);
  });

  test('GIVEN a schema-invalid document that duplicates a Cloudflare name WHEN loading THEN both errors', async () => {
    const result = await load({
      'a.yaml': tsig('k1', undefined, 'same.'),
      'b.yaml': tsig('k2', undefined, 'same.').replace('hmac-sha256.', 'nope'),
    });
    expect(codesAt(result.errors)).toEqual([
      ['E_DUPLICATE_CF_NAME', 'm/b.yaml', 7],
      ['E_SCHEMA', 'm/b.yaml', 8],
    ]);
  });

  test('GIVEN a peer with a schema error and an unresolved tsig WHEN loading THEN both', async () => {
    const result = await load({ 'a.yaml': peer('p1', '  port: 70000\n  tsig: k9\n') });
    expect(codesAt(result.errors)).toEqual([
      ['E_SCHEMA', 'm/a.yaml', 6],
      ['E_UNRESOLVED_REFERENCE', 'm/a.yaml', 7],
    ]);
  });

  test('GIVEN a peer pointing at a TSIG that has a schema error WHEN loading THEN only the TSIG error', async () => {
    const result = await load({
      'a.yaml': tsig('k1').replace('hmac-sha256.', 'nope'),
      'b.yaml': peer('p1', '  tsig: k1\n'),
    });
    expect(codesAt(result.errors)).toEqual([['E_SCHEMA', 'm/a.yaml', 8]]);
  });

  test('GIVEN a schema error and an unknown alias, sink, time range and CIDR in one token WHEN loading THEN all', async () => {
    const doc = token(
      '  colour: red\n  secret: {sink: vault}\n  condition: {request_ip: {in: [10.0.0.1/8]}}\n' +
        '  not_before: 2031-01-01T00:00:00Z\n  expires_on: 2030-01-01T00:00:00Z\n',
    ).replace('account: main', 'account: mian');
    const result = await load({ 'a.yaml': doc });
    expect(result.errors.map((e) => e.code).sort()).toEqual(
      ['E_CIDR_HOST_BITS', 'E_SCHEMA', 'E_SINK_UNKNOWN', 'E_TIME_RANGE', 'E_UNKNOWN_ACCOUNT'].sort(),
    );
  });

  test('GIVEN a schema error and a missing fromFile in one TSIG WHEN loading THEN both', async () => {
    const result = await load({ 'a.yaml': tsig('k1', '{fromFile: missing.key}').replace('hmac-sha256.', 'nope') });
    expect(codesAt(result.errors)).toEqual([
      ['E_SCHEMA', 'm/a.yaml', 8],
      ['E_SECRET_FILE', 'm/a.yaml', 9],
    ]);
  });

  test("GIVEN two Config documents, both with errors WHEN loading THEN E_DUPLICATE_CONFIG and each one's errors", async () => {
    const result = await load({
      'cfgitops.yaml': `${CONFIG}  state: {backend: ftp}\n`,
      'z.yaml': `${CONFIG}  secrets:\n    default: vault\n  policy: {peerAllowedCidrs: [10.0.0.1/8]}\n`,
    });
    expect(codesAt(result.errors)).toEqual([
      ['E_SCHEMA', 'm/cfgitops.yaml', 6],
      ['E_DUPLICATE_CONFIG', 'm/z.yaml', 1],
      ['E_CONFIG', 'm/z.yaml', 7],
      ['E_CIDR_HOST_BITS', 'm/z.yaml', 8],
    ]);
  });
});
