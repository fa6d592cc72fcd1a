/**
 * The dotenv dialect the file sink writes: `KEY='value'` lines that dotenv, docker compose and POSIX `sh` (`. file`)
 * all read back as the same value. Lines cfgitops did not write (comments, other keys) are kept verbatim.
 */

const LINE_KEY = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/;

/** `ci-deploy.token` → `CI_DEPLOY_TOKEN`; a leading digit gets a `_` (names cannot start with one). */
export function dotenvKey(key: string): string {
  const upper = key.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return /^[0-9]/.test(upper) ? `_${upper}` : upper;
}

/**
 * Single quotes are literal in every reader; a value holding a single quote or a line break uses double quotes with
 * `\\ \" \$ \`` escaped (`\n` / `\r` as escapes, which dotenv expands — token values never contain them).
 */
export function quoteDotenvValue(value: string): string {
  if (!/['\n\r]/.test(value)) return `'${value}'`;
  const escaped = value
    .replace(/[\\"$`]/g, (c) => `\\${c}`)
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
  return `"${escaped}"`;
}

/** The text with `key` set to `value`: an existing line for the key is replaced in place, otherwise one is appended. */
export function setDotenvValue(text: string, key: string, value: string): string {
  const line = `${key}=${quoteDotenvValue(value)}`;
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  let found = false;
  const out: string[] = [];
  for (const l of lines) {
    if (LINE_KEY.exec(l)?.[1] === key) {
      // A duplicate line for the key would shadow ours in some readers: keep exactly one.
      if (!found) out.push(line);
      found = true;
    } else {
      out.push(l);
    }
  }
  if (!found) out.push(line);
  return `${out.join('\n')}\n`;
}

/** The text without any line for `key` (other lines verbatim), or undefined when it has none. */
export function removeDotenvKey(text: string, key: string): string | undefined {
  const lines = text.replace(/\n$/, '').split('\n');
  const kept = lines.filter((l) => LINE_KEY.exec(l)?.[1] !== key);
  if (kept.length === lines.length) return undefined;
  return kept.length === 0 ? '' : `${kept.join('\n')}\n`;
}

/** Reads the values back (the subset of dotenv that `quoteDotenvValue` writes, plus bare values). */
export function parseDotenv(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const l of text.split('\n')) {
    const m = LINE_KEY.exec(l);
    if (!m) continue;
    values.set(m[1]!, unquote(l.slice(m[0].length).trim()));
  }
  return values;
}

function unquote(raw: string): string {
  if (raw.startsWith("'")) {
    const end = raw.indexOf("'", 1);
    return raw.slice(1, end === -1 ? undefined : end);
  }
  if (raw.startsWith('"')) {
    let out = '';
    for (let i = 1; i < raw.length; i++) {
      const c = raw[i]!;
      if (c === '"') break;
      if (c === '\\' && i + 1 < raw.length) {
        const n = raw[++i]!;
        out += n === 'n' ? '\n' : n === 'r' ? '\r' : n;
      } else {
        out += c;
      }
    }
    return out;
  }
  const hash = raw.search(/\s#/);
  return (hash === -1 ? raw : raw.slice(0, hash)).trim();
}
