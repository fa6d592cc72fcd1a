/**
 * The attack suite (issue #12, docs/security.md): each directory under attacks/ is a pull request an attacker could
 * open — a Config and manifests, plus attack.yaml saying in one line what it tries. For each, the built CLI runs
 * `validate`, `plan` (JSON, saved, step summary) and `drift` (and `plan --emulator` where it matters) as a child
 * process holding canary credentials, and the suite asserts what docs/security.md promises: no request to the
 * attacker's HTTP listener, no credential on a connection to the attacker's PostgreSQL, no program run, no file
 * written but the saved plan and the step summary, no secret in any output, and one JSON document per JSON run.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';
import { canaryValue } from './sandbox.js';
import { listAttacks, playAttack, type Attack, type Observation } from './attack-harness.js';

const attacks = await listAttacks();
const SECURITY_DOC = fileURLToPath(new URL('../../../docs/security.md', import.meta.url));
const LEAST_PRIVILEGE_TEST = fileURLToPath(new URL('../e2e/postgres-least-privilege.test.ts', import.meta.url));

// Attacks are played up front, several at once (each is a few child processes, mostly waiting on each other), and
// each test asserts on its own observation.
const CONCURRENCY = Number(process.env['CFGITOPS_ATTACK_CONCURRENCY'] ?? 6);
/** Set to a file name to get every attack's commands, exit codes and codes as JSON (for docs/security.md). */
const REPORT = process.env['CFGITOPS_ATTACK_REPORT'];

let emulator: TestEmulator;
// The job's own database: connections to it are not the attacker's. It answers nothing and hangs up.
const trustedPg = createServer((s) => s.destroy());
const observed = new Map<string, Observation | { failed: unknown }>();

beforeAll(async () => {
  emulator = await startTestEmulator({ rateLimit: false, apiToken: canaryValue() });
  await new Promise<void>((resolve) => trustedPg.listen(0, '127.0.0.1', resolve));
  const queue = [...attacks];
  const worker = async (): Promise<void> => {
    for (let a = queue.shift(); a !== undefined; a = queue.shift()) {
      observed.set(a.name, await playAttack(a, emulator, trustedPgPort()).catch((failed: unknown) => ({ failed })));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (REPORT) await writeFile(REPORT, JSON.stringify(report(), null, 2));
}, 300_000);
afterAll(async () => {
  await emulator.close();
  await new Promise<void>((resolve) => {
    trustedPg.close(() => {
      resolve();
    });
  });
});

function trustedPgPort(): number {
  const a = trustedPg.address();
  return typeof a === 'object' && a !== null ? a.port : 0;
}

describe('GIVEN a pull request written by an attacker', () => {
  test.each(attacks.map((a) => [a.name, a] as const))('%s', (_name, attack: Attack) => {
    const seen = observed.get(attack.name);
    if (seen === undefined) throw new Error(`${attack.name} was not played`);
    if ('failed' in seen) throw seen.failed instanceof Error ? seen.failed : new Error(String(seen.failed));
    const summary = describeRuns(seen);
    expect(seen.http, `requests reached the attacker's listener\n${summary}`).toEqual([]);
    expect(seen.leaks, `secrets leaked\n${summary}`).toEqual([]);
    expect(seen.spawned, `programs ran\n${summary}`).toEqual([]);
    expect(seen.written, `files were written\n${summary}`).toEqual([]);
    expect(seen.injected, `workflow commands injected\n${summary}`).toEqual([]);
    expect(seen.badJson, `--format json printed something other than one document\n${summary}`).toEqual([]);
    expect(seen.oracle, `output depended on a variable the pull request chose\n${summary}`).toEqual([]);
    if (attack.spec.allowPgConnection !== true)
      expect(seen.pg.length, `connections to the attacker's database\n${summary}`).toBe(0);
    for (const [command, code] of Object.entries(attack.spec.exit ?? {})) {
      expect(seen.runs.find((r) => r.command === command)?.code, `${command}'s exit code\n${summary}`).toBe(code);
    }
    for (const [command, codes] of Object.entries(attack.spec.expect ?? {})) {
      const run = seen.runs.find((r) => r.command === command);
      expect(run, `${command} was not run`).toBeDefined();
      expect(run!.codes, `${command}: the defence did not show\n${summary}`).toEqual(expect.arrayContaining(codes));
    }
  });

  test('AND docs/security.md lists every attack of the suite', async () => {
    const doc = await readFile(SECURITY_DOC, 'utf8');
    const missing = attacks.filter((a) => !doc.includes(`\`${a.name}\``)).map((a) => a.name);
    expect(missing).toEqual([]);
    expect(attacks.length).toBeGreaterThanOrEqual(15);
  });

  test('AND the GRANTs docs/security.md shows are the ones the least-privilege test runs', async () => {
    const doc = await readFile(SECURITY_DOC, 'utf8');
    const block = /```sql\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    const tested = await readFile(LEAST_PRIVILEGE_TEST, 'utf8');
    const statements = block.split('\n').filter((l) => l.trim() !== '');
    expect(statements.length).toBeGreaterThanOrEqual(8);
    // Passwords differ (the doc shows '…'); everything else must be the same statement.
    const missing = statements.filter((l) => !tested.includes(l.replace(/PASSWORD '…';$/, 'PASSWORD ')));
    expect(missing).toEqual([]);
  });
});

function report(): unknown {
  return attacks.map((a) => {
    const seen = observed.get(a.name);
    return {
      name: a.name,
      description: a.spec.description,
      runs:
        seen && 'runs' in seen
          ? seen.runs.map((r) => ({
              command: r.command,
              exit: r.code,
              codes: r.codes,
              said: `${r.stdout}\n${r.stderr}`
                .split('\n')
                .filter((l) => /^(error|warning)\[|W_SINK|"message"|"action"|"path": "\/secret"/.test(l)),
            }))
          : seen,
      pgConnections:
        seen && 'pg' in seen ? seen.pg.map((b) => b.toString('latin1').replace(/[^\x20-\x7e]/g, '.')) : undefined,
    };
  });
}

function describeRuns(seen: Observation): string {
  return seen.runs
    .map(
      (r) =>
        `$ cfgitops ${r.argv.join(' ')} → exit ${r.code} [${r.codes.join(' ')}]\n${r.stdout.slice(0, 3000)}\n${r.stderr.slice(0, 3000)}`,
    )
    .join('\n');
}
