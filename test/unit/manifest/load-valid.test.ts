import { mkdtemp, rm, writeFile, mkdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CfgitopsErrors } from '../../../src/errors.js';
import { loadManifests, nodeManifestFs } from '../../../src/manifest/load-manifests.js';
import { resolveSecrets } from '../../../src/manifest/resolve-secrets.js';
import type { LoadedManifests } from '../../../src/manifest/types.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const repo = path.resolve(import.meta.dirname, '../../..');
const deps = { fs: nodeManifestFs, cwd: repo, now: NOW };

describe('GIVEN the shipped desired-state example', () => {
  let m: LoadedManifests;
  beforeAll(async () => {
    m = await loadManifests('desired-state', deps);
  });

  test('WHEN loaded THEN it has 1 TSIG, 2 peers, 3 tokens and a zone link in one account', () => {
    expect(m.resources.map((r) => `${r.kind}/${r.address.name}`).sort()).toEqual([
      'AccountToken/ci-dns-edit',
      'AccountToken/logs-reader',
      'AccountToken/zone-readonly',
      'SecondaryDnsIncoming/example-com',
      'SecondaryDnsPeer/ns1-primary',
      'SecondaryDnsPeer/ns2-primary',
      'SecondaryDnsTsig/ns1-transfer',
    ]);
    expect(new Set(m.resources.map((r) => r.address.account))).toEqual(new Set(['0123456789abcdef0123456789abcdef']));
    expect(m.resources.every((r) => r.accountAlias === 'main')).toBe(true);
  });

  test('WHEN the clock is past a token expires_on THEN it still loads (expiry is a planned event, not an error)', async () => {
    const later = await loadManifests('desired-state', { ...deps, now: Date.parse('2031-01-01T00:00:00Z') });
    const ci = later.resources.find((r) => r.address.name === 'ci-dns-edit');
    expect(ci?.kind === 'AccountToken' && ci.spec.expires_on).toBe('2030-01-01T00:00:00Z');
  });

  test('WHEN loaded THEN defaults are filled in and scopes normalised', () => {
    const ns2 = m.resources.find((r) => r.address.name === 'ns2-primary');
    expect(ns2?.kind === 'SecondaryDnsPeer' && ns2.spec).toMatchObject({ port: 53, ixfr_enable: false });
    const logs = m.resources.find((r) => r.address.name === 'logs-reader');
    expect(logs?.kind === 'AccountToken' && logs.spec.policies[0]?.permission_groups[0]).toEqual({
      name: 'Logs Read',
      scope: 'com.cloudflare.api.account.zone',
    });
    expect(logs?.kind === 'AccountToken' && logs.spec.secret).toEqual({ sink: 'local', key: 'logs-reader' });
    expect(m.resources.find((r) => r.address.name === 'ns1-primary')?.annotations).toEqual({
      'cfgitops.dev/prevent-destroy': 'true',
    });
  });

  test('WHEN locating THEN pointers map to file:line:col, missing ones to their parent', () => {
    const t = m.resources.find((r) => r.address.name === 'ci-dns-edit')!;
    expect(t.source).toMatchObject({ file: 'desired-state/tokens.yaml' });
    const exp = t.locate('/spec/expires_on');
    expect(exp.line).toBeGreaterThan(t.source.line);
    const missing = t.locate('/spec/status/nothing');
    expect([missing.line, missing.col]).toEqual([t.locate('/spec').line, t.locate('/spec').col]);
  });

  test('WHEN secrets are resolved THEN the TSIG key file is read (one newline trimmed)', async () => {
    const secrets = await resolveSecrets(m, {
      env: {},
      readFile: (p) => import('node:fs/promises').then((fs) => fs.readFile(p)),
    });
    const key = [...secrets.values()][0]!;
    expect(key.reveal()).toBe('RVhBTVBMRS1PTkxZLW5vdC1hLXJlYWwtdHNpZy1rZXktcmVwbGFjZS1tZQ==');
    expect(String(key)).toBe('[redacted]');
  });

  test('WHEN loaded twice THEN the digest is the same, and the config and files are listed', async () => {
    const again = await loadManifests('desired-state', deps);
    expect(again.digest).toBe(m.digest);
    expect(m.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(m.files).toContain('desired-state/cfgitops.yaml');
    expect(m.root).toBe(repo);
  });
});

describe('GIVEN a temp tree', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cfgitops-load-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const tsig = (secret: string) =>
    `apiVersion: cfgitops.dev/v1\nkind: SecondaryDnsTsig\nmetadata: {name: k1, account: "${'a'.repeat(32)}"}\n` +
    `spec: {name: k1., algo: hmac-sha1., secret: ${secret}}\n`;

  test('WHEN a byte changes THEN the digest changes; the digest ignores the cwd', async () => {
    await mkdir(path.join(dir, 'd1'), { recursive: true });
    await writeFile(path.join(dir, 'd1', 'a.yaml'), tsig('{fromEnv: K1}'));
    const a = await loadManifests(path.join(dir, 'd1'), { ...deps, cwd: dir });
    const b = await loadManifests('d1', { ...deps, cwd: dir });
    expect(b.digest).toBe(a.digest);
    await writeFile(path.join(dir, 'd1', 'a.yaml'), tsig('{fromEnv: K2}'));
    const c = await loadManifests('d1', { ...deps, cwd: dir });
    expect(c.digest).not.toBe(a.digest);
  });

  test.each([
    ['missing env var', '{fromEnv: TSIG_TEST_MISSING}', {}, 'E_SECRET_ENV_MISSING', '/spec/secret/fromEnv'],
    ['missing file', '{fromFile: nope.key}', {}, 'E_SECRET_FILE', '/spec/secret/fromFile'],
  ])('WHEN resolving a secret with a %s THEN %s at the reference', async (_n, ref, env, code, pointer) => {
    await mkdir(path.join(dir, 'd2'), { recursive: true });
    await writeFile(path.join(dir, 'd2', 'a.yaml'), tsig(ref));
    // A missing file is already a load error (validate reports it); an unset variable only when resolving.
    const error = await loadManifests('d2', { ...deps, cwd: dir })
      .then((m) => resolveSecrets(m, { env, readFile: (p) => import('node:fs/promises').then((fs) => fs.readFile(p)) }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CfgitopsErrors);
    const [first] = (error as CfgitopsErrors).errors;
    expect(first).toMatchObject({ code, location: { file: 'd2/a.yaml', line: 4, pointer } });
  });

  test.each([
    ['CLOUDFLARE_API_TOKEN', '{fromEnv: CLOUDFLARE_API_TOKEN}', '/spec/secret/fromEnv'],
    ['the GitHub token', '{fromEnv: GITHUB_TOKEN}', '/spec/secret/fromEnv'],
    ["libpq's password", '{fromEnv: PGPASSWORD}', '/spec/secret/fromEnv'],
    ['a *_TOKEN variable', '{fromEnv: npm_token}', '/spec/secret/fromEnv'],
    ["git's config (the checkout token)", '{fromFile: ../.git/config}', '/spec/secret/fromFile'],
    ["the file sink's token values", '{fromFile: ../.cfgitops/secrets.json}', '/spec/secret/fromFile'],
  ])(
    'WHEN a TSIG secret names %s THEN E_SECRET_REF_FORBIDDEN at load, before anything is read',
    async (_n, ref, pointer) => {
      const repoDir = await mkdtemp(path.join(dir, 'repo-'));
      await mkdir(path.join(repoDir, '.git'), { recursive: true });
      await mkdir(path.join(repoDir, 'm'), { recursive: true });
      await writeFile(path.join(repoDir, 'm', 'a.yaml'), tsig(ref));
      const error = await loadManifests('m', { ...deps, cwd: repoDir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CfgitopsErrors);
      expect((error as CfgitopsErrors).errors).toEqual([
        expect.objectContaining({
          code: 'E_SECRET_REF_FORBIDDEN',
          location: expect.objectContaining({ pointer }) as unknown,
        }),
      ]);
    },
  );

  test('WHEN fromFile reaches .git through a symbolic link THEN E_SECRET_REF_FORBIDDEN when resolving, nothing read', async () => {
    const repoDir = await mkdtemp(path.join(dir, 'repo-'));
    await mkdir(path.join(repoDir, '.git'), { recursive: true });
    await writeFile(path.join(repoDir, '.git', 'config'), '[http] extraheader = AUTHORIZATION: basic x\n');
    await mkdir(path.join(repoDir, 'm'), { recursive: true });
    await symlink(path.join(repoDir, '.git', 'config'), path.join(repoDir, 'm', 'ns1.key'));
    await writeFile(path.join(repoDir, 'm', 'a.yaml'), tsig('{fromFile: ns1.key}'));
    const reads: string[] = [];
    const m = await loadManifests('m', { ...deps, cwd: repoDir });
    const error = await resolveSecrets(m, {
      env: {},
      readFile: (p) => {
        reads.push(p);
        return Promise.resolve('');
      },
    }).catch((e: unknown) => e);
    expect((error as CfgitopsErrors).errors.map((e) => e.code)).toEqual(['E_SECRET_REF_FORBIDDEN']);
    expect(reads).toEqual([]);
  });

  test('WHEN resolving an env secret THEN its value is wrapped and never in errors', async () => {
    await mkdir(path.join(dir, 'd3'), { recursive: true });
    await writeFile(path.join(dir, 'd3', 'a.yaml'), tsig('{fromEnv: K1}'));
    const m = await loadManifests('d3', { ...deps, cwd: dir });
    const secrets = await resolveSecrets(m, {
      env: { K1: 'dGVzdC1zZWNyZXQtdmFsdWU=' },
      readFile: () => Promise.reject(new Error('unused')),
    });
    expect([...secrets.keys()]).toEqual([`SecondaryDnsTsig/${'a'.repeat(32)}/k1`]);
    expect(JSON.stringify([...secrets.values()])).not.toContain('dGVzdC1zZWNyZXQtdmFsdWU=');
  });

  test.each([
    ['an existing key file', 'it is read once and each TSIG gets the value', 'shared.key', undefined],
    ['a missing key file', 'each TSIG gets E_SECRET_FILE at its own reference', 'missing.key', 'E_SECRET_FILE'],
  ])('GIVEN three TSIGs naming %s WHEN resolving THEN %s', async (_n, _then, file, code) => {
    await mkdir(path.join(dir, 'd4'), { recursive: true });
    await writeFile(path.join(dir, 'd4', 'shared.key'), 'c2hhcmVkLWtleQ==\n');
    const docs = ['k1', 'k2', 'k3'].map(
      (name) =>
        `apiVersion: cfgitops.dev/v1\nkind: SecondaryDnsTsig\nmetadata: {name: ${name}, account: "${'a'.repeat(32)}"}\n` +
        `spec: {name: ${name}., algo: hmac-sha1., secret: {fromFile: ${file}}}\n`,
    );
    await writeFile(path.join(dir, 'd4', 'a.yaml'), docs.join('---\n'));
    const reads: string[] = [];
    const result = await loadManifests('d4', { ...deps, cwd: dir })
      .then((m) =>
        resolveSecrets(m, {
          env: {},
          readFile: (p) => {
            reads.push(p);
            return import('node:fs/promises').then((fs) => fs.readFile(p));
          },
        }),
      )
      .catch((e: unknown) => e);
    if (code === undefined) {
      expect(reads).toHaveLength(1);
      const values = [...(result as Map<string, { reveal(): string }>).values()].map((v) => v.reveal());
      expect(values).toEqual(['c2hhcmVkLWtleQ==', 'c2hhcmVkLWtleQ==', 'c2hhcmVkLWtleQ==']);
    } else {
      expect(result).toBeInstanceOf(CfgitopsErrors);
      const errors = (result as CfgitopsErrors).errors;
      expect(errors.map((e) => [e.code, e.location?.line, e.location?.pointer])).toEqual(
        [4, 9, 14].map((line) => [code, line, '/spec/secret/fromFile']),
      );
    }
  });

  describe('fromFile through symbolic links (a real temp repository)', () => {
    let repoDir: string;
    let outside: string;
    beforeAll(async () => {
      repoDir = path.join(dir, 'links-repo');
      outside = await mkdtemp(path.join(tmpdir(), 'cfgitops-outside-'));
      await writeFile(path.join(outside, 'runner-file'), 'not-a-tsig-secret-but-a-runner-file\n');
      await mkdir(path.join(repoDir, '.git'), { recursive: true });
      await mkdir(path.join(repoDir, 'keys'), { recursive: true });
      await writeFile(path.join(repoDir, 'keys', 'real.key'), 'aW5zaWRlLXRoZS1yZXBv\n');
      await symlink(path.join(outside, 'runner-file'), path.join(repoDir, 'keys', 'escape.key'));
      await symlink(outside, path.join(repoDir, 'keys', 'outside-dir'));
      await symlink('real.key', path.join(repoDir, 'keys', 'inside.key'));
    });
    afterAll(async () => {
      await rm(outside, { recursive: true, force: true });
    });

    async function resolveFrom(ref: string) {
      const d = path.join(repoDir, 'm');
      await mkdir(d, { recursive: true });
      await writeFile(path.join(d, 'a.yaml'), tsig(ref));
      const m = await loadManifests('m', { ...deps, cwd: repoDir });
      expect(m.root).toBe(repoDir);
      return resolveSecrets(m, { env: {}, readFile: (p) => import('node:fs/promises').then((fs) => fs.readFile(p)) });
    }

    test.each([
      ['a symlinked file pointing outside', '{fromFile: ../keys/escape.key}'],
      ['a file under a symlinked directory pointing outside', '{fromFile: ../keys/outside-dir/runner-file}'],
    ])('GIVEN %s WHEN resolving THEN E_PATH_ESCAPE at the fromFile, nothing read', async (_n, ref) => {
      const error = await resolveFrom(ref).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CfgitopsErrors);
      const errors = (error as CfgitopsErrors).errors;
      expect(errors.map((e) => e.code)).toEqual(['E_PATH_ESCAPE']);
      expect(errors[0]?.location).toMatchObject({ file: 'm/a.yaml', line: 4, pointer: '/spec/secret/fromFile' });
      expect(JSON.stringify(errors.map((e) => e.toJSON()))).not.toContain('runner-file\\n');
    });

    test('GIVEN a symlink to a file inside the repository WHEN resolving THEN its content is the secret', async () => {
      const secrets = await resolveFrom('{fromFile: ../keys/inside.key}');
      expect([...secrets.values()][0]?.reveal()).toBe('aW5zaWRlLXRoZS1yZXBv');
    });
  });
});

describe('GIVEN manifest files that are symbolic links (a pull request commits them)', () => {
  let repoDir: string;
  let outside: string;
  beforeAll(async () => {
    repoDir = await mkdtemp(path.join(tmpdir(), 'cfgitops-linked-'));
    outside = await mkdtemp(path.join(tmpdir(), 'cfgitops-outside-'));
    await mkdir(path.join(repoDir, '.git'), { recursive: true });
    await writeFile(path.join(repoDir, '.git', 'config'), '[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n');
    await writeFile(path.join(outside, 'creds.yaml'), 'token: outside-credential-value\n');
    await mkdir(path.join(repoDir, 'common'), { recursive: true });
    await writeFile(
      path.join(repoDir, 'common', 'config.yaml'),
      'apiVersion: cfgitops.dev/v1\nkind: Config\nspec: {}\n',
    );
  });
  afterAll(async () => {
    await rm(repoDir, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  async function loadWith(link: string, target: string): Promise<unknown> {
    const m = path.join(repoDir, `m-${link}`);
    await mkdir(m, { recursive: true });
    await symlink(target, path.join(m, 'linked.yaml'));
    return loadManifests(path.basename(m), { ...deps, cwd: repoDir }).catch((e: unknown) => e);
  }

  test.each([
    ['outside the repository', 'out', () => path.join(outside, 'creds.yaml'), 'leading outside the repository'],
    ['into .git/', 'git', () => '../.git/config', 'leading into .git/'],
  ])(
    'WHEN one leads %s THEN E_PATH_ESCAPE at the file and nothing it holds is quoted',
    async (_n, name, target, why) => {
      const error = await loadWith(name, target());
      expect(error).toBeInstanceOf(CfgitopsErrors);
      const errors = (error as CfgitopsErrors).errors;
      expect(errors.map((e) => [e.code, e.location?.file])).toEqual([['E_PATH_ESCAPE', `m-${name}/linked.yaml`]]);
      expect(errors[0]?.message).toContain(why);
      expect(JSON.stringify(errors.map((e) => e.toJSON()))).not.toMatch(/c2VjcmV0|outside-credential-value/);
    },
  );

  test('WHEN one leads to a file inside the repository THEN it is loaded', async () => {
    const loaded = (await loadWith('inside', '../common/config.yaml')) as LoadedManifests;
    expect(loaded.config.source?.file).toBe('m-inside/linked.yaml');
  });
});
