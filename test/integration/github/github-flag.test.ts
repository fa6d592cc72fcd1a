/**
 * `--github` on plan, drift and validate, in-process against the emulator and a GitHub fake: summary, annotations,
 * the sticky comment on failure too, and nothing at all outside Actions.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { runCli } from '../../support/cli.js';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';
import { createWorkspace, type Workspace } from '../../support/workspace.js';
import { startCommentsFake, type CommentsFake } from './comments-fake.js';

const TOKEN = 'ghs_flagTestToken0123456789abcdef';
const REPO = 'acme/dns';
let emulator: TestEmulator;
let github: CommentsFake;
let ws: Workspace;
let runner: string;
let pr = 100;

beforeAll(async () => {
  emulator = await startTestEmulator({ rateLimit: false });
  github = await startCommentsFake({ token: TOKEN, repository: REPO });
});
afterAll(async () => {
  await github.close();
  await emulator.close();
});
beforeEach(async () => {
  await emulator.control('POST', '/reset');
  ws = await createWorkspace(emulator);
  runner = await mkdtemp(join(tmpdir(), 'cfgitops-gh-'));
  pr++;
  await writeFile(join(runner, 'event.json'), JSON.stringify({ pull_request: { number: pr } }));
});
afterEach(async () => {
  await ws.cleanup();
  await rm(runner, { recursive: true, force: true });
});

const actionsEnv = (): Record<string, string | undefined> => ({
  ...ws.env,
  GITHUB_ACTIONS: 'true',
  GITHUB_REPOSITORY: REPO,
  GITHUB_API_URL: github.url,
  GITHUB_EVENT_PATH: join(runner, 'event.json'),
  GITHUB_STEP_SUMMARY: join(runner, 'summary.md'),
  GITHUB_TOKEN: TOKEN,
});
const cli = (env: Record<string, string | undefined>, ...argv: string[]) => runCli(argv, { cwd: ws.dir, env });
const summary = () => readFile(join(runner, 'summary.md'), 'utf8').catch(() => undefined);

describe('GIVEN a run inside GitHub Actions', () => {
  test('WHEN plan fails on a manifest error THEN it exits 1, annotates file:line:col and the sticky comment lists the code', async () => {
    await ws.write('desired-state/extra.yaml', 'apiVersion: cfgitops.dev/v1\nkind: Zone\nmetadata:\n  name: x\n');
    const r = await cli(actionsEnv(), 'plan', '--github', '--pr-comment');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^::error file=desired-state\/extra\.yaml,line=2,col=\d+,title=E_UNKNOWN_KIND::/m);
    expect(github.comments(pr)).toHaveLength(1);
    expect(github.comments(pr)[0]?.body).toContain('E_UNKNOWN_KIND');
    expect(await summary()).toContain('E_UNKNOWN_KIND');

    await rm(join(ws.dir, 'desired-state/extra.yaml'));
    const fixed = await cli(actionsEnv(), 'plan', '--github', '--pr-comment');
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(github.comments(pr)).toHaveLength(1);
    expect(github.comments(pr)[0]?.body).not.toContain('E_UNKNOWN_KIND');
  });

  test('WHEN a guardrail fails THEN the comment is the plan itself with the violation beside its step, annotated; under warn a ::warning', async () => {
    const config = await ws.read('desired-state/cfgitops.yaml');
    const withPolicy = (extra: string) =>
      ws.write(
        'desired-state/cfgitops.yaml',
        config.replace(
          'kind: Config\nspec:\n',
          `kind: Config\nspec:\n  policy:\n${extra}    peerAllowedPorts: [5353]\n`,
        ),
      );
    await withPolicy('');
    const r = await cli(actionsEnv(), 'plan', '--github', '--pr-comment');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^::error file=desired-state\/peers\.yaml,line=\d+,col=\d+,title=E_POLICY_VIOLATION::\/spec\/port: peer "ns1\.example\.com" port 53 is not allowed/m,
    );
    const body = github.comments(pr)[0]?.body ?? '';
    expect(body).not.toContain('plan failed');
    expect(body).toContain('This plan has errors: it cannot be applied until they are fixed.');
    expect(body).toMatch(
      /<details open><summary><code>\+ create<\/code> <code>SecondaryDnsPeer\/main\/ns1-primary<\/code>/,
    );
    expect(body).toContain('✗ guardrail error: peerAllowedPorts (enforce)');

    await withPolicy('    mode: warn\n');
    const warned = await cli(actionsEnv(), 'plan', '--github', '--pr-comment');
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toMatch(
      /^::warning file=desired-state\/peers\.yaml,line=\d+,col=\d+,title=W_POLICY_VIOLATION::/m,
    );
    expect(warned.stderr).not.toContain('::error');
    expect(github.comments(pr)).toHaveLength(1);
    expect(github.comments(pr)[0]?.body).toContain('⚠ guardrail warning: peerAllowedPorts (warn)');
  });

  test('WHEN drift runs with --github THEN its report is appended to the summary and the exit code is kept', async () => {
    const r = await cli(actionsEnv(), 'drift', '--github');
    expect(r.code, r.stderr).toBe(2);
    expect(await summary()).toMatch(/cfgitops drift/);
    expect(github.comments(pr)).toHaveLength(0);
  });

  test('WHEN --pr-comment has no GITHUB_TOKEN THEN plan fails with E_GITHUB', async () => {
    const r = await cli({ ...actionsEnv(), GITHUB_TOKEN: undefined }, 'plan', '--github', '--pr-comment');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[E_GITHUB]');
  });

  test('WHEN --pr N is given on a push event THEN the comment goes to that PR', async () => {
    await writeFile(join(runner, 'event.json'), JSON.stringify({ ref: 'refs/heads/main' }));
    const r = await cli(actionsEnv(), 'plan', '--github', '--pr-comment', '--pr', '7');
    expect(r.code, r.stderr).toBe(0);
    expect(github.comments(7).filter((c) => c.body.startsWith('<!-- cfgitops:plan:desired-state -->'))).toHaveLength(1);
  });
});

describe('GIVEN a run outside GitHub Actions', () => {
  test('WHEN --github is passed THEN nothing is written or posted and the run says so', async () => {
    const before = github.requests.length;
    const r = await cli({ ...actionsEnv(), GITHUB_ACTIONS: undefined }, 'validate', '--github', '--pr-comment');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/--github has no effect/);
    expect(await summary()).toBeUndefined();
    expect(github.requests.length).toBe(before);
  });
});
