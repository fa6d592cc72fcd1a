// Build step after tsc: bundles the compiled CLI (dist/cli/main.js and every module it imports, eagerly or lazily)
// into a few files in dist/bundle/, which bin/cfgitops.js runs. Start-up is then a handful of module loads instead
// of ~150 (resolving and linking them was most of `cfgitops --help`'s time); what a command loads lazily stays lazy
// (a chunk of its own). Packages from node_modules are not bundled. dist/bundle/ sits at the same depth as
// dist/<folder>/, so paths relative to a module (../generated/, ../../schemas/) hold in both.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const BUNDLED = new Set(['commander']);
// commander loads node:child_process (and with it net, dgram and their bindings, ~2 ms) at import, for executable
// subcommands, which cfgitops has none of: bundled, it gets it on first use instead. The build fails if commander's
// line changes, so an upgrade cannot quietly drop (or break) this.
const COMMANDER_CHILD_PROCESS = "const childProcess = require('node:child_process');";
const lazyChildProcess = {
  name: 'commander-lazy-child-process',
  transform(code, id) {
    if (!/[\\/]commander[\\/]lib[\\/]command\.js$/.test(id)) return null;
    if (!code.includes(COMMANDER_CHILD_PROCESS)) throw new Error(`${id}: no "${COMMANDER_CHILD_PROCESS}" to make lazy`);
    return code.replace(
      COMMANDER_CHILD_PROCESS,
      "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };",
    );
  },
};
const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
await build({
  input: { cli: path.join(dist, 'cli', 'main.js') },
  platform: 'node',
  plugins: [lazyChildProcess],
  // Bare specifiers (packages, node: builtins) stay imports, except commander, which every command loads: bundled,
  // it costs no package resolution and (being CommonJS) no CJS-to-ESM export scan at start-up (docs/benchmarks.md).
  // js-yaml is not bundled: only files the subset parser declines need it, and src/lazy-require.ts loads it then.
  external: (id) => !/^[./]/.test(id) && !BUNDLED.has(id),
  output: {
    dir: path.join(dist, 'bundle'),
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
    cleanDir: true,
    // Everything every command loads (cli.js's static imports) in one chunk: each ESM file costs ~1 ms to resolve,
    // read and link, and `--help` loaded six. Measured at load ~1, 2 × 25 alternating rounds: --help 44.6 / 45.2 ms in
    // six files, 44.0 / 42.5 ms in three (docs/benchmarks.md). Lazily loaded chunks stay as they were.
    codeSplitting: { groups: [{ name: 'start', tags: ['$initial'] }] },
  },
  logLevel: 'warn',
});
