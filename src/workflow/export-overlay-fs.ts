/**
 * The manifest tree as it will be once export has written its files, without writing them: the real files, with
 * the files to be written laid over them. `export` loads the tree through this before touching the disk, so it
 * never writes a tree that `validate` would reject.
 */
import path from 'node:path';
import type { ManifestFs } from '../manifest/load-manifests.js';

export function overlayManifestFs(base: ManifestFs, files: ReadonlyMap<string, string>): ManifestFs {
  const bytes = new Map<string, Uint8Array>();
  const dirs = new Map<string, Set<string>>();
  for (const [abs, text] of files) {
    bytes.set(abs, Buffer.from(text, 'utf8'));
    // Register every ancestor so new directories can be listed and stat'ed.
    let child = abs;
    for (let dir = path.dirname(abs); dir !== child; child = dir, dir = path.dirname(dir)) {
      let entries = dirs.get(dir);
      if (!entries) dirs.set(dir, (entries = new Set()));
      entries.add(path.basename(child));
    }
  }
  const fileEntry = (name: string) => ({
    name,
    isFile: () => true,
    isDirectory: () => false,
    isSymbolicLink: () => false,
  });
  const dirEntry = (name: string) => ({
    name,
    isFile: () => false,
    isDirectory: () => true,
    isSymbolicLink: () => false,
  });
  return {
    stat: async (p) => {
      const b = bytes.get(p);
      if (b) return { size: b.byteLength, isFile: () => true, isDirectory: () => false };
      try {
        return await base.stat(p);
      } catch (e) {
        if (dirs.has(p)) return { size: 0, isFile: () => false, isDirectory: () => true };
        throw e;
      }
    },
    readdir: async (p) => {
      const extra = dirs.get(p);
      const real = await base.readdir(p).catch((e: unknown) => {
        if (extra) return [];
        throw e;
      });
      if (!extra) return real;
      const seen = new Set(real.map((e) => e.name));
      const added = [...extra]
        .filter((name) => !seen.has(name))
        .map((name) => (bytes.has(path.join(p, name)) ? fileEntry(name) : dirEntry(name)));
      return [...real, ...added];
    },
    readFile: async (p) => bytes.get(p) ?? base.readFile(p),
  };
}
