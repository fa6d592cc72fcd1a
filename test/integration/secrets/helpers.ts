/** Shared fixtures for the sink tests: temp dirs, clocks, captured logs, config. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, type ResolvedConfig, type SinkConfig } from '../../../src/config/types.js';
import type { Clock, Logger } from '../../../src/effects.js';
import { createLogger } from '../../../src/log.js';
import type { TokenMetadata } from '../../../src/secrets/types.js';

export const token: TokenMetadata = {
  name: 'ci-deploy',
  id: '0123456789abcdef0123456789abcdef',
  account: 'f037e56e89293a057740de681ac9abbe',
  cf_name: 'cfgitops ci-deploy',
};

/** A token-shaped value unique per call, long enough for the scrubber. */
let serial = 0;
export function tokenValue(): string {
  serial++;
  return `cfat_${String(serial).padStart(4, '0')}Zk3qL9vX2mN8pR4tY6wB1cD5fG7hJ0sA`;
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cfgitops-sinks-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export function configWith(sinks: Record<string, SinkConfig>, defaultSink?: string): ResolvedConfig {
  const c = defaultConfig();
  return { ...c, sinks, defaultSink: defaultSink ?? Object.keys(sinks)[0] ?? c.defaultSink };
}

/** Sleeps return at once and advance `now`; every requested sleep is recorded. */
export function instantClock(start = 1_700_000_000_000): Clock & { sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

/** Sleeps never end unless aborted: no timeout ever fires. */
export const frozenClock: Clock = {
  now: () => 1_700_000_000_000,
  sleep: (_ms, signal) =>
    new Promise<void>((_resolve, reject) => {
      signal?.addEventListener('abort', () => {
        reject(new Error('aborted'));
      });
    }),
};

export function capturedLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = createLogger({ level: 'trace', destination: { write: (s: string) => lines.push(s) } });
  return { log, lines };
}
