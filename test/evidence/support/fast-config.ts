/**
 * Rewrites the workspace's Config so fault scenarios run in seconds: a 1 s request timeout (hangs are given up on
 * quickly), millisecond backoff, and the client pacing a scenario asks for.
 */
import type { Workspace } from '../../support/workspace.js';

export interface ApiTuning {
  pacing?: { requests: number; windowSeconds: number };
  timeoutSeconds?: number;
  concurrency?: number;
  retries?: number;
}

export async function tuneApi(ws: Workspace, tuning: ApiTuning = {}): Promise<void> {
  const path = 'desired-state/cfgitops.yaml';
  const text = await ws.read(path);
  const start = text.indexOf('  api:\n');
  if (start < 0) throw new Error(`${path} has no api section to tune`);
  const pacing = tuning.pacing ?? { requests: 1000, windowSeconds: 300 };
  const api = [
    '  api:',
    `    concurrency: ${tuning.concurrency ?? 4}`,
    `    timeoutSeconds: ${tuning.timeoutSeconds ?? 1}`,
    '    rateLimit:',
    `      requests: ${pacing.requests}`,
    `      windowSeconds: ${pacing.windowSeconds}`,
    '    retry:',
    `      retries: ${tuning.retries ?? 12}`,
    '      minTimeoutMs: 5',
    '      maxTimeoutMs: 100',
    '      deadlineSeconds: 120',
    '',
  ].join('\n');
  // The api section is the last one in the example Config.
  await ws.write(path, text.slice(0, start) + api);
}
