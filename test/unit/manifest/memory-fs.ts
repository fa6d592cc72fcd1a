/** An in-memory ManifestFs for loader tests: paths are absolute, contents are text or bytes. */
import path from 'node:path';
import type { ManifestFs } from '../../../src/manifest/load-manifests.js';

export function memoryFs(
  files: Readonly<Record<string, string | Uint8Array>>,
  dirs: readonly string[] = [],
): ManifestFs {
  const bytes = new Map(
    Object.entries(files).map(([p, c]) => [p, typeof c === 'string' ? new TextEncoder().encode(c) : c] as const),
  );
  const allDirs = new Set(dirs);
  for (const p of bytes.keys())
    for (let d = path.dirname(p); d !== path.dirname(d); d = path.dirname(d)) allDirs.add(d);
  const enoent = (p: string) => Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
  const entry = (name: string, file: boolean) => ({
    name,
    isFile: () => file,
    isDirectory: () => !file,
    isSymbolicLink: () => false,
  });
  return {
    stat: (p) => {
      const b = bytes.get(p);
      if (b) return Promise.resolve({ size: b.length, isFile: () => true, isDirectory: () => false });
      if (allDirs.has(p)) return Promise.resolve({ size: 0, isFile: () => false, isDirectory: () => true });
      return Promise.reject(enoent(p));
    },
    readdir: (p) => {
      if (!allDirs.has(p)) return Promise.reject(enoent(p));
      const children = new Map<string, boolean>();
      for (const f of bytes.keys()) if (path.dirname(f) === p) children.set(path.basename(f), true);
      for (const d of allDirs) if (path.dirname(d) === p && d !== p) children.set(path.basename(d), false);
      return Promise.resolve([...children].map(([name, file]) => entry(name, file)));
    },
    readFile: (p) => {
      const b = bytes.get(p);
      return b ? Promise.resolve(b) : Promise.reject(enoent(p));
    },
  };
}
