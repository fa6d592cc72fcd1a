/**
 * Which environment variables hold credentials — cfgitops' own and those of the CI around it. One list for the two
 * places that must keep them from where a pull request points: an `exec` sink's command does not receive them
 * (unless `inheritEnv` says so), and a TSIG secret may not be read from them (`fromEnv`), since that would turn a
 * credential into a TSIG secret sent to Cloudflare, and its equality with the live secret into a plan diff.
 */

/** Where cfgitops reads its own credentials (see credentials.ts, postgres-url.ts and the GitHub sinks' tokenEnv). */
export const CREDENTIAL_ENV = [
  'CLOUDFLARE_API_TOKEN',
  'CLOUDFLARE_API_KEY',
  'CLOUDFLARE_EMAIL',
  'CFGITOPS_PG_URL',
  'DATABASE_URL',
] as const;

/**
 * Prefixes and suffixes of variables that hold credentials or point at them in CI: GitHub Actions' runtime tokens,
 * libpq's PGPASSWORD / PGPASSFILE, cfgitops' and Cloudflare's own settings, and the common `…_TOKEN` / `…_PASSWORD`
 * conventions (AWS_SESSION_TOKEN, NPM_TOKEN, VAULT_TOKEN, …).
 */
const CREDENTIAL_PREFIXES = ['CLOUDFLARE_', 'CFGITOPS_', 'GITHUB_', 'ACTIONS_', 'RUNNER_', 'PG', 'AWS_', 'VAULT_'];
const CREDENTIAL_SUFFIXES = ['_TOKEN', '_PASSWORD', '_API_KEY', '_ACCESS_KEY', '_URL'];

/**
 * Why `name` may not be a TSIG secret's `fromEnv`, or undefined when it may. `extra`: more credential names (the
 * GitHub sinks' `tokenEnv`). Case-insensitive: environment names are case-sensitive on Linux, but a lower-case twin
 * of a credential name is no better.
 */
export function credentialEnvReason(name: string, extra: readonly string[] = []): string | undefined {
  const upper = name.toUpperCase();
  const exact = [...CREDENTIAL_ENV, ...extra].find((c) => c.toUpperCase() === upper);
  if (exact !== undefined) return `${name} holds a credential cfgitops or its sinks use`;
  const prefix = CREDENTIAL_PREFIXES.find((p) => upper.startsWith(p));
  if (prefix !== undefined) return `variables starting with ${prefix} hold CI or database credentials and settings`;
  const suffix = CREDENTIAL_SUFFIXES.find((s) => upper.endsWith(s));
  if (suffix !== undefined) return `variables ending in ${suffix} conventionally hold credentials`;
  return undefined;
}
