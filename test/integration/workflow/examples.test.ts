/**
 * The example GitHub Actions workflows, run as Actions would run them: each `run:` line that calls `npx cfgitops`
 * is executed in-process, in order, in a temporary git repository holding the example manifests, with the GITHUB_*
 * environment of a pull request (or push, or schedule), a temporary step summary, step outputs, and a loopback fake
 * of GitHub's comment API. The emulator stands in for Cloudflare. Jobs run in order with their `needs` outputs and
 * `if:`s evaluated; artifacts are kept in a map (upload-artifact copies a file in, download-artifact copies it out),
 * standing in for the Actions artifact store; the merge workflow's reviewed-plan lookup script runs as written, by
 * bash, with a fake `gh` serving that map.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { runCli, type CliResult } from '../../support/cli.js';
import { startTestEmulator, type TestEmulator } from '../../support/emulator.js';
import {
  createWorkspace,
  EXAMPLE_ACCOUNT,
  liveResources,
  verifySinkValues,
  type Workspace,
} from '../../support/workspace.js';
import { startCommentsFake, type CommentsFake } from '../github/comments-fake.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/github-actions/', import.meta.url));
const GITHUB_TOKEN = 'ghs_exampleWorkflowToken0123456789';
const REPO = 'acme/desired-state';
const PR = 17;

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string | number>;
  'continue-on-error'?: boolean;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  env?: Record<string, string>;
  jobs: Record<
    string,
    {
      steps: Step[];
      env?: Record<string, string>;
      permissions?: Record<string, string>;
      needs?: string;
      if?: string;
      outputs?: Record<string, string>;
    }
  >;
}

interface Ran {
  step: string;
  argv: string[];
  result: CliResult;
}

let emulator: TestEmulator;
let github: CommentsFake;
let ws: Workspace;
let runnerDir: string;

beforeAll(async () => {
  emulator = await startTestEmulator({ rateLimit: false });
  github = await startCommentsFake({ token: GITHUB_TOKEN, repository: REPO });
});
afterAll(async () => {
  await github.close();
  await emulator.close();
});
beforeEach(async () => {
  artifacts.clear();
  await emulator.control('POST', '/reset');
  ws = await createWorkspace(emulator);
  runnerDir = await mkdtemp(join(tmpdir(), 'cfgitops-runner-'));
  git('init', '-q', '-b', 'main');
  await commitAll('desired state');
});
afterEach(async () => {
  emulator.assertNoContractViolations();
  await ws.cleanup();
  await rm(runnerDir, { recursive: true, force: true });
});

function git(...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    cwd: ws.dir,
    encoding: 'utf8',
  });
}
async function commitAll(message: string): Promise<void> {
  await writeFile(join(ws.dir, '.gitignore'), '.cfgitops/\ncfgitops.plan\nreviewed/\n');
  git('add', '-A');
  git('commit', '-q', '-m', message);
}

async function loadWorkflow(file: string): Promise<Workflow> {
  return parse(await readFile(join(EXAMPLES, file), 'utf8')) as Workflow;
}

/** What an expression can read: the event, the steps of the job so far, and the outputs of the jobs it needs. */
interface ExprContext {
  fork: boolean;
  steps: Record<string, { outcome: string; outputs: Record<string, string> }>;
  needs: Record<string, { outputs: Record<string, string> }>;
}

/**
 * The expression forms the examples use — `a == 'x'`, `a != 'x'`, joined by `&&` / `||` — over the contexts they read.
 * Anything else fails the test, so an example cannot drift into a form this simulation would evaluate wrongly.
 */
function evaluate(expr: string, ctx: ExprContext): boolean {
  return expr.split('||').some((any) => any.split('&&').every((all) => comparison(all.trim(), ctx)));
}

function comparison(expr: string, ctx: ExprContext): boolean {
  const m = /^([\w.-]+)\s*(==|!=)\s*('[^']*'|true|false)$/.exec(expr);
  if (!m) throw new Error(`the example uses an expression the test cannot evaluate: ${expr}`);
  const value = operand(m[1]!, ctx);
  const literal = m[3]!.startsWith("'") ? m[3]!.slice(1, -1) : m[3]!;
  return m[2] === '==' ? value === literal : value !== literal;
}

function operand(path: string, ctx: ExprContext): string {
  if (path === 'github.event.pull_request.head.repo.fork') return String(ctx.fork);
  const step = /^steps\.([\w-]+)\.(outcome|outputs\.([\w-]+))$/.exec(path);
  if (step) {
    const s = ctx.steps[step[1]!];
    return (step[3] === undefined ? s?.outcome : s?.outputs[step[3]]) ?? '';
  }
  const need = /^needs\.([\w-]+)\.outputs\.([\w-]+)$/.exec(path);
  if (need) return ctx.needs[need[1]!]?.outputs[need[2]!] ?? '';
  throw new Error(`the example reads a context the test does not model: ${path}`);
}

function condition(expr: string | undefined, ctx: ExprContext): boolean {
  return expr === undefined ? true : evaluate(expr, ctx);
}

/** `${{ expr }}` in a job output: the boolean as Actions prints it. */
function interpolate(value: string, ctx: ExprContext): string {
  const m = /^\$\{\{\s*(.*?)\s*\}\}$/.exec(value.trim());
  return m ? String(evaluate(m[1]!, ctx)) : value;
}

/** What `${{ secrets.X }}` would hold in the test's repository; an unknown secret is empty, as in Actions. */
function secretValue(value: string): string | undefined {
  const m = /^\$\{\{\s*secrets\.(\w+)\s*\}\}$/.exec(value.trim());
  if (!m) return value;
  switch (m[1]) {
    case 'CLOUDFLARE_PLAN_TOKEN':
    case 'CLOUDFLARE_APPLY_TOKEN':
      return emulator.apiToken;
    case 'GITHUB_TOKEN':
      return GITHUB_TOKEN;
    default:
      return undefined; // CFGITOPS_PG_URL: the example manifests use the file state in the repository
  }
}

/** A plain shell split: words, single and double quotes; the examples keep their commands that simple. */
function shellSplit(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3] ?? '');
  return words;
}

/** The artifact store: name → the file's bytes (shared by the PR run and the merge run, as in Actions). */
const artifacts = new Map<string, Buffer>();

interface RunOptions {
  name: string;
  fork?: boolean;
}

async function runWorkflow(file: string, event: RunOptions): Promise<Ran[]> {
  const wf = await loadWorkflow(file);
  const eventPath = join(runnerDir, 'event.json');
  await writeFile(
    eventPath,
    JSON.stringify(
      event.name === 'pull_request'
        ? { pull_request: { number: PR, head: { repo: { fork: event.fork === true } } } }
        : { ref: 'refs/heads/main' },
    ),
  );
  const ran: Ran[] = [];
  const needs: ExprContext['needs'] = {};
  for (const [jobName, job] of Object.entries(wf.jobs)) {
    const ctx: ExprContext = { fork: event.fork === true, steps: {}, needs };
    if (job.needs !== undefined && needs[job.needs] === undefined) continue; // its dependency was skipped or failed
    if (!condition(job.if, ctx)) continue;
    let failed = false;
    for (const [index, step] of job.steps.entries()) {
      if (!condition(step.if, ctx)) continue;
      const outputFile = join(runnerDir, `output-${jobName}-${index}.txt`);
      const outcome = await runStep(step, { job, wf, event, eventPath, outputFile, ran });
      const outputs = Object.fromEntries(
        (await readFile(outputFile, 'utf8').catch(() => ''))
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      if (step.id !== undefined) ctx.steps[step.id] = { outcome, outputs };
      if (outcome === 'failure' && step['continue-on-error'] !== true) {
        failed = true;
        break;
      }
    }
    if (failed) return ran; // a failing job fails the run; the jobs that need it do not start
    needs[jobName] = {
      outputs: Object.fromEntries(Object.entries(job.outputs ?? {}).map(([k, v]) => [k, interpolate(v, ctx)])),
    };
  }
  return ran;
}

async function runStep(
  step: Step,
  at: {
    job: Workflow['jobs'][string];
    wf: Workflow;
    event: RunOptions;
    eventPath: string;
    outputFile: string;
    ran: Ran[];
  },
): Promise<'success' | 'failure'> {
  if (step.uses?.startsWith('actions/upload-artifact@')) {
    artifacts.set(String(step.with?.['name']), await readFile(join(ws.dir, String(step.with?.['path']))));
    return 'success';
  }
  if (step.uses?.startsWith('actions/download-artifact@')) {
    const bytes = artifacts.get(String(step.with?.['name']));
    if (bytes === undefined) return 'failure';
    await writeFile(join(ws.dir, 'cfgitops.plan'), bytes);
    return 'success';
  }
  if (step.id === 'reviewed') return runReviewedLookup(step, at.outputFile);
  if (step.run?.trim() === 'exit 1') return 'failure';
  if (step.run === undefined) return 'success';
  const env: Record<string, string | undefined> = {
    CLOUDFLARE_BASE_URL: ws.env['CLOUDFLARE_BASE_URL'],
    CFGITOPS_LOG_LEVEL: 'warn',
    PATH: process.env['PATH'],
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: REPO,
    GITHUB_API_URL: github.url,
    GITHUB_EVENT_NAME: at.event.name,
    GITHUB_EVENT_PATH: at.eventPath,
    GITHUB_STEP_SUMMARY: join(runnerDir, 'summary.md'),
    GITHUB_OUTPUT: at.outputFile,
    GITHUB_RUN_ID: '4242',
    GITHUB_SHA: git('rev-parse', 'HEAD').trim(),
  };
  for (const [k, v] of Object.entries({ ...at.wf.env, ...at.job.env, ...step.env })) env[k] = secretValue(v);
  for (const line of step.run.split('\n')) {
    const words = shellSplit(line.trim());
    if (words[0] !== 'npx' || words[1] !== 'cfgitops') continue;
    const argv = words.slice(2);
    const result = await runCli(argv, { cwd: ws.dir, env });
    at.ran.push({ step: step.name ?? line, argv, result });
    if (result.code !== 0) return 'failure';
  }
  return 'success';
}

/**
 * The workflow's own "Find the reviewed plan" script, run by bash with a fake `gh` on PATH that stands in for the
 * API: the merge commit's pull request, its last successful plan run, and `gh run download` of the artifact the PR
 * workflow uploaded (absent: the download fails, as gh does).
 */
async function runReviewedLookup(step: Step, outputFile: string): Promise<'success' | 'failure'> {
  const bin = join(runnerDir, 'fake-gh');
  await mkdir(bin, { recursive: true });
  const bytes = artifacts.get('cfgitops-plan');
  const artifact = join(runnerDir, 'artifact-cfgitops.plan');
  if (bytes !== undefined) await writeFile(artifact, bytes);
  else await rm(artifact, { force: true });
  await writeFile(
    join(bin, 'gh'),
    [
      '#!/bin/sh',
      'case "$1 $2" in',
      '  "api "*) echo 1111111111111111111111111111111111111111 ;;',
      '  "run list") echo 4242 ;;',
      `  "run download") [ -f '${artifact}' ] || exit 1; mkdir -p "$7"; cp '${artifact}' "$7/cfgitops.plan" ;;`,
      '  *) exit 2 ;;',
      'esac',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  try {
    execFileSync('bash', ['-e', '-c', step.run ?? ''], {
      cwd: ws.dir,
      env: {
        PATH: `${bin}:${process.env['PATH'] ?? ''}`,
        GITHUB_REPOSITORY: 'acme/infra',
        GITHUB_SHA: git('rev-parse', 'HEAD').trim(),
        GITHUB_OUTPUT: outputFile,
      },
      stdio: 'pipe',
    });
    return 'success';
  } catch {
    return 'failure';
  }
}

const summary = () => readFile(join(runnerDir, 'summary.md'), 'utf8').catch(() => '');
const codes = (ran: Ran[]) => ran.map((r) => `${r.argv[0] ?? ''}=${r.result.code}`);
const failures = (ran: Ran[]) =>
  ran
    .filter((r) => r.result.code !== 0)
    .map((r) => `${r.argv.join(' ')}: ${r.result.stderr}`)
    .join('\n');

describe('GIVEN the example workflows', () => {
  test('WHEN read THEN they pin actions by major version, set least privileges and share one apply concurrency group', async () => {
    const files = (await readdir(EXAMPLES)).filter((f) => f.endsWith('.yml')).sort();
    expect(files).toEqual(['apply-on-merge.yml', 'nightly.yml', 'plan-on-pr.yml']);
    for (const file of files) {
      const wf = await loadWorkflow(file);
      for (const job of Object.values(wf.jobs)) {
        for (const step of job.steps) if (step.uses) expect(step.uses, file).toMatch(/@v\d+$/);
      }
    }
    const pr = await loadWorkflow('plan-on-pr.yml');
    expect(pr.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    const apply = await loadWorkflow('apply-on-merge.yml');
    const nightly = await loadWorkflow('nightly.yml');
    expect(apply.permissions).toEqual({ contents: 'read' });
    expect(apply.concurrency).toMatchObject({ group: 'cfgitops-apply', 'cancel-in-progress': false });
    expect(nightly.concurrency?.group).toBe(apply.concurrency?.group);
  });

  test('WHEN a PR is opened, pushed to, merged, and the nightly job runs THEN each step exits as expected with its effects', async () => {
    // PR opened: validate + plan, one sticky comment and a summary.
    const opened = await runWorkflow('plan-on-pr.yml', { name: 'pull_request' });
    expect(codes(opened), failures(opened)).toEqual(['validate=0', 'plan=0']);
    expect(github.comments(PR)).toHaveLength(1);
    const firstComment = github.comments(PR)[0]!;
    expect(firstComment.body.startsWith('<!-- cfgitops:plan:desired-state -->')).toBe(true);
    expect(await summary()).toMatch(/cfgitops validate/);
    const summaryAfterOpen = (await summary()).length;

    // A push to the PR: the same comment is edited, not a second one posted.
    await ws.write(
      'desired-state/peers.yaml',
      (await ws.read('desired-state/peers.yaml')).replace('192.0.2.53', '192.0.2.54'),
    );
    await commitAll('move ns1');
    const pushed = await runWorkflow('plan-on-pr.yml', { name: 'pull_request' });
    expect(codes(pushed), failures(pushed)).toEqual(['validate=0', 'plan=0']);
    expect(github.comments(PR)).toHaveLength(1);
    expect(github.comments(PR)[0]?.id).toBe(firstComment.id);
    expect(github.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    expect((await summary()).length).toBeGreaterThan(summaryAfterOpen);
    // Plans never wrote: nothing exists at Cloudflare yet.
    expect((await liveResources(emulator)).tokens).toHaveLength(0);

    // The PR run saved its plan: the comment shows the digest of the artifact the merge job will apply.
    const reviewedDigest = `sha256:${createHash('sha256').update(artifacts.get('cfgitops-plan')!).digest('hex')}`;
    expect(github.comments(PR)[0]?.body).toContain(reviewedDigest);

    // Merge: the reviewed plan is still fresh, so exactly that file is applied; nothing is planned again.
    const merged = await runWorkflow('apply-on-merge.yml', { name: 'push' });
    expect(codes(merged), failures(merged)).toEqual(['apply=0']);
    expect(merged[0]?.argv).toEqual(['apply', 'reviewed/cfgitops.plan', '--github']);
    expect(await summary()).toMatch(/cfgitops apply: applied/);
    const live = await liveResources(emulator);
    expect(live.peers.find((p) => p.name === 'ns1.example.com')?.ip).toBe('192.0.2.54');
    expect(Object.keys(await verifySinkValues(emulator, ws))).toHaveLength(3);

    // Nightly: nothing is old enough to rotate, and nothing drifted.
    const nightly = await runWorkflow('nightly.yml', { name: 'schedule' });
    expect(codes(nightly), failures(nightly)).toEqual(['rotate=0', 'drift=0']);
    expect(await summary()).toMatch(/cfgitops drift/);

    // Out-of-band change: the next nightly run fails on drift.
    const peer = live.peers.find((p) => p.name === 'ns2.example.com')!;
    await emulator.api('PUT', `/accounts/${EXAMPLE_ACCOUNT}/secondary_dns/peers/${peer.id}`, {
      name: 'ns2.example.com',
      ip: '203.0.113.7',
      port: 53,
    });
    const drifted = await runWorkflow('nightly.yml', { name: 'schedule' });
    expect(codes(drifted)).toEqual(['rotate=0', 'drift=2']);

    // Another PR plan after the apply: neither a token value nor the TSIG secret reaches the comment or summary.
    const again = await runWorkflow('plan-on-pr.yml', { name: 'pull_request' });
    expect(codes(again), failures(again)).toEqual(['validate=0', 'plan=0']);
    const secrets = [
      ...Object.values(await ws.sinkValues()),
      (await ws.read('desired-state/secrets/tsig-ns1.key')).trim(),
    ];
    expect(secrets.length).toBe(4);
    const published = `${github.comments(PR)[0]?.body ?? ''}\n${await summary()}`;
    for (const secret of secrets) expect(published).not.toContain(secret);
  });

  test('WHEN the reviewed plan went stale before the merge THEN nothing of it is applied: a new plan is made, then applied after approval', async () => {
    const opened = await runWorkflow('plan-on-pr.yml', { name: 'pull_request' });
    expect(codes(opened), failures(opened)).toEqual(['validate=0', 'plan=0']);
    // Another change reached Cloudflare first (another PR's apply): the state serial moved on.
    await ws.write(
      'desired-state/peers.yaml',
      (await ws.read('desired-state/peers.yaml')).replace('192.0.2.53', '192.0.2.54'),
    );
    expect((await runCli(['apply', '--auto-approve'], { cwd: ws.dir, env: ws.env })).code).toBe(0);
    await ws.write(
      'desired-state/peers.yaml',
      (await ws.read('desired-state/peers.yaml')).replace('192.0.2.54', '192.0.2.55'),
    );
    await commitAll('move ns1 again');

    const merged = await runWorkflow('apply-on-merge.yml', { name: 'push' });
    // reviewed: refused as stale (continue-on-error) → replan: plan → apply-new-plan (after approval): apply.
    expect(codes(merged)).toEqual(['apply=3', 'plan=0', 'apply=0']);
    expect(merged[0]?.result.stderr).toMatch(/E_PLAN_STALE/);
    expect(merged[2]?.argv).toEqual(['apply', 'cfgitops.plan', '--github']);
    const live = await liveResources(emulator);
    expect(live.peers.find((p) => p.name === 'ns1.example.com')?.ip).toBe('192.0.2.55');
    expect(await summary()).toMatch(/E_PLAN_STALE[\s\S]*cfgitops — Plan against[\s\S]*cfgitops apply: applied/);
  });

  test('WHEN the downloaded plan names another manifest directory THEN the merge does not apply it but plans desired-state for approval', async () => {
    await mkdir(join(ws.dir, 'decoy'), { recursive: true });
    await ws.write('decoy/cfgitops.yaml', await ws.read('desired-state/cfgitops.yaml'));
    await commitAll('a decoy directory');
    const opened = await runWorkflow('plan-on-pr.yml', { name: 'pull_request' });
    expect(codes(opened), failures(opened)).toEqual(['validate=0', 'plan=0']);
    // The PR job ran the PR's code: its artifact points apply at the decoy (digests made to match it).
    const forged = JSON.parse(artifacts.get('cfgitops-plan')!.toString('utf8')) as { manifests_dir: string };
    expect(forged.manifests_dir).toBe('desired-state');
    forged.manifests_dir = 'decoy';
    artifacts.set('cfgitops-plan', Buffer.from(JSON.stringify(forged)));

    const merged = await runWorkflow('apply-on-merge.yml', { name: 'push' });
    expect(codes(merged), failures(merged)).toEqual(['plan=0', 'apply=0']);
    expect(merged[0]?.argv).toEqual(['plan', 'desired-state', '--out', 'cfgitops.plan', '--github']);
    expect((await liveResources(emulator)).peers).toHaveLength(2);
  });

  test('WHEN a fork PR without secrets runs the plan workflow THEN it validates and plans against the emulator, commenting nowhere', async () => {
    const before = github.requests.length;
    const ran = await runWorkflow('plan-on-pr.yml', { name: 'pull_request', fork: true });
    expect(codes(ran), failures(ran)).toEqual(['validate=0', 'plan=0']);
    expect(ran[1]?.argv).toContain('--emulator');
    expect(github.requests.length).toBe(before);
    expect(await summary()).toMatch(/cfgitops validate/);
  });

  test('WHEN a PR breaks a manifest THEN validate fails with a positioned ::error annotation and the summary names the code', async () => {
    await ws.write(
      'desired-state/peers.yaml',
      (await ws.read('desired-state/peers.yaml')).replace('port: 53', 'port: "fifty-three"'),
    );
    await commitAll('break it');
    const ran = await runWorkflow('plan-on-pr.yml', { name: 'pull_request' });
    expect(codes(ran)).toEqual(['validate=1']);
    const annotation = ran[0]!.result.stderr.split('\n').find((l) => l.startsWith('::error '));
    expect(annotation).toMatch(/^::error file=desired-state\/peers\.yaml,line=\d+,col=\d+,title=E_SCHEMA::/);
    expect(await summary()).toContain('E_SCHEMA');
  });
});
