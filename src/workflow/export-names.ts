/**
 * Names `cfgitops export` gives to what it writes: `metadata.name`s slugged from the Cloudflare names, and the
 * environment variables TSIG secrets are read from. Pure and deterministic: the same live account and the same
 * names already taken give the same names on every run, whatever order Cloudflare lists things in.
 */

/** The manifest name rule (common-schemas.ts METADATA_NAME_PATTERN): [a-z0-9.-], ≤ 63, alphanumeric at both ends. */
export const MAX_NAME_LENGTH = 63;

/** `cfgitops CI DNS edit` → `cfgitops-ci-dns-edit`; `tsig.ns1.example.com.` → `tsig.ns1.example.com`. */
export function slugName(cfName: string, maxLength = MAX_NAME_LENGTH): string {
  const ascii = cfName.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  const slug = ascii
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/\.{2,}/g, '.');
  return trimEnds(slug.slice(0, maxLength));
}

function trimEnds(s: string): string {
  return s.replace(/^[^a-z0-9]+/, '').replace(/[^a-z0-9]+$/, '');
}

export interface NameCandidate {
  id: string;
  cfName: string;
}

/**
 * Gives each candidate a unique name not in `taken` (which it extends). Candidates are served in (Cloudflare name,
 * id) order so the result does not depend on list order; the first of a slug keeps it, later ones get the start
 * of their Cloudflare id appended (`ci-deploy-3f2a9c01`), which also tells a reviewer which one is which.
 */
export function allocateNames(
  candidates: readonly NameCandidate[],
  taken: Set<string>,
  fallback: string,
): Map<string, string> {
  const names = new Map<string, string>();
  const ordered = [...candidates].sort((a, b) => compareText(a.cfName, b.cfName) || compareText(a.id, b.id));
  for (const c of ordered) {
    const base = slugName(c.cfName) || fallback;
    let name = base;
    if (taken.has(name)) {
      const tag =
        c.id
          .toLowerCase()
          .replace(/[^a-z0-9]/g, '')
          .slice(0, 8) || 'x';
      name = `${trimEnds(base.slice(0, MAX_NAME_LENGTH - tag.length - 1))}-${tag}`;
      for (let n = 2; taken.has(name); n++) {
        const suffix = `-${tag}-${n}`;
        name = `${trimEnds(base.slice(0, MAX_NAME_LENGTH - suffix.length))}${suffix}`;
      }
    }
    taken.add(name);
    names.set(c.id, name);
  }
  return names;
}

/**
 * `TSIG_MAIN_NS1_TRANSFER_SECRET`: unique against `taken` (which it extends). Always `TSIG_…_SECRET`: the loader
 * refuses variables that look like credentials (`CFGITOPS_…`, `…_TOKEN`, …: src/credential-env.ts).
 */
export function tsigEnvName(accountRef: string, name: string, taken: Set<string>): string {
  const stem = `TSIG_${accountRef}_${name}`
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/_+$/, '');
  let env = `${stem}_SECRET`;
  for (let n = 2; taken.has(env); n++) env = `${stem}_${n}_SECRET`;
  taken.add(env);
  return env;
}

/** Code-unit order: locale-independent, so two machines sort alike. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
