/** `resolveSecrets` with `skip`: a reference plan must not read is not looked at (env) or not read (file content). */
import { describe, expect, test } from 'vitest';
import { resolveSecrets } from '../../../src/manifest/resolve-secrets.js';
import { addressKey } from '../../../src/resources.js';
import { tsig } from '../planner/builders.js';

const envTsig = tsig('e', { secret: { fromEnv: 'DEPLOY_KEY' } });
const fileTsig = { ...tsig('f', { secret: { fromFile: 'keys/f.key' } }) };
fileTsig.source = { ...fileTsig.source, file: 'desired-state/tsigs.yaml' };
const escaping = { ...tsig('x', { secret: { fromFile: 'keys/link.key' } }) };
escaping.source = { ...escaping.source, file: 'desired-state/tsigs.yaml' };

function deps() {
  const envReads: string[] = [];
  const fileReads: string[] = [];
  const env = new Proxy(
    {},
    {
      get: (_t, name: string) => {
        envReads.push(name);
        return 'c2VjcmV0LXZhbHVlLTAxMjM0NTY3ODk=';
      },
    },
  );
  return {
    envReads,
    fileReads,
    deps: {
      env,
      readFile: (p: string) => {
        fileReads.push(p);
        return Promise.resolve('file-secret');
      },
      realpath: (p: string) => Promise.resolve(p.endsWith('link.key') ? '/elsewhere/secret' : p),
    },
  };
}

const manifests = (resources: ReturnType<typeof tsig>[]) => ({ resources, cwd: '/repo', root: '/repo' });

describe('GIVEN TSIGs whose references are skipped', () => {
  test('WHEN resolved THEN no env var is looked at and no file is read, and they are not in the result', async () => {
    const d = deps();
    const skip = new Set([addressKey(envTsig.address), addressKey(fileTsig.address)]);
    const out = await resolveSecrets(manifests([envTsig, fileTsig]), { ...d.deps, skip });
    expect(out.size).toBe(0);
    expect(d.envReads).toEqual([]);
    expect(d.fileReads).toEqual([]);
  });

  test('WHEN a skipped file leads outside the repository THEN its path is still refused, unread', async () => {
    const d = deps();
    const skip = new Set([addressKey(escaping.address)]);
    await expect(resolveSecrets(manifests([escaping]), { ...d.deps, skip })).rejects.toThrow(/outside the repository/);
    expect(d.fileReads).toEqual([]);
  });

  test('WHEN not skipped THEN both are read as before', async () => {
    const d = deps();
    const out = await resolveSecrets(manifests([envTsig, fileTsig]), d.deps);
    expect(out.size).toBe(2);
    expect(d.envReads).toEqual(['DEPLOY_KEY']);
    expect(d.fileReads).toEqual(['/repo/desired-state/keys/f.key']);
  });
});
