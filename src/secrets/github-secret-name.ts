/**
 * GitHub Actions secret names: letters, digits and `_` only, not starting with a digit or `GITHUB_`, case-insensitive
 * (GitHub stores them upper-case). Keys are sanitized the way people name env vars (`ci-deploy` → `CI_DEPLOY`); a key
 * that still breaks a rule is an error rather than silently renamed into something nobody will find.
 */
export type SecretNameResult = { ok: true; name: string } | { ok: false; problem: string };

export function githubSecretName(key: string): SecretNameResult {
  const name = key.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  if (!/[A-Z0-9]/.test(name)) return { ok: false, problem: 'has no letter or digit' };
  if (/^[0-9]/.test(name)) return { ok: false, problem: `${name} starts with a digit` };
  if (name.startsWith('GITHUB_')) return { ok: false, problem: `${name} starts with the reserved prefix GITHUB_` };
  return { ok: true, name };
}
