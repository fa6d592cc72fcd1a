/**
 * A SHA-256 hash — the one cfgitops uses for digests, fingerprints and lock keys — with node:crypto loaded on first
 * use: importing it costs ~3 ms of a start-up (docs/benchmarks.md), and `validate` and `--help` hash nothing.
 */
import type { Hash } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let crypto: typeof import('node:crypto') | undefined;

export function sha256(): Hash {
  crypto ??= require('node:crypto') as typeof import('node:crypto');
  return crypto.createHash('sha256');
}
