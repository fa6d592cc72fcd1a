/**
 * Issue 13, defect 4, end to end with the built CLI on the emulator: adding `policy:` to the Config of a repository
 * whose resources are already applied turned the plan into a list of E_POLICY_VIOLATION errors and no plan, while
 * `validate` said nothing, and there was no way to adopt a guardrail for new resources only. Now the plan is shown
 * with each violation beside its step (and still fails under `enforce`), `validate` reports them with positions,
 * and `mode: enforce-new` tolerates what exists while a new resource must comply.
 */
import { describe, expect, test } from 'vitest';
import { spawnCli, type CliResult } from '../../support/cli.js';
import { useE2eWorld } from '../../support/e2e-world.js';

const world = useE2eWorld();

/** The built CLI (bin/cfgitops.js → dist/bundle), as a user runs it; its output joins the leak scan. */
async function built(...argv: string[]): Promise<CliResult> {
  const child = spawnCli(argv, { cwd: world.ws.dir, env: world.ws.env });
  const { code } = await child.exited;
  world.outputs.push(child.stdout(), child.stderr());
  return { code: code ?? -1, stdout: child.stdout(), stderr: child.stderr() };
}

/** Guardrails every applied example resource breaks: 3 + 1 + 2 token violations, 2 + 2 peer violations. */
const POLICY = [
  '  policy:',
  '    tokenMaxLifetimeDays: 90',
  '    forbiddenPermissionGroups: [DNS Write]',
  '    wildcardNeedsIpCondition: true',
  '    peerAllowedCidrs: [203.0.113.0/24]',
  '    peerAllowedPorts: [5353]',
];

async function addPolicy(...extra: string[]): Promise<void> {
  const text = await world.ws.read('desired-state/cfgitops.yaml');
  const head = 'kind: Config\nspec:\n';
  expect(text).toContain(head);
  await world.ws.write(
    'desired-state/cfgitops.yaml',
    text.replace(head, `${head}${[...POLICY, ...extra].join('\n')}\n`),
  );
}

interface PlanJson {
  steps: { action: string; address: { name: string }; guardrails?: { rule: string; severity: string }[] }[];
  errors: { code: string }[];
  warnings: { code: string }[];
}

const NEW_TOKEN = `---
apiVersion: cfgitops.dev/v1
kind: AccountToken
metadata:
  name: new-reader
  account: main
spec:
  name: cfgitops new reader
  policies:
    - effect: allow
      permission_groups:
        - name: DNS Read
      resources:
        com.cloudflare.api.account.zone.023e105f4ecef8ad9ca31a8372d0c353: "*"
`;

describe('GIVEN the example applied with the built CLI', () => {
  test('WHEN policy: is added to the Config (mode enforce) THEN plan shows every step with its violations and exits 1; validate reports them by file and line', async () => {
    const first = await built('apply', '--auto-approve');
    expect(first.code, first.stderr).toBe(0);
    await addPolicy();

    const plan = await built('plan');
    expect(plan.code).toBe(1);
    // The plan itself, not just errors: one block per resource, the violations inside it.
    const blocks = plan.stdout.split('\n\n');
    const ci = blocks.find((b) => b.includes('no-op AccountToken/main/ci-dns-edit'));
    expect(ci, plan.stdout).toContain('✗ guardrail error: forbiddenPermissionGroups (enforce)');
    expect(ci).toContain('✗ guardrail error: tokenMaxLifetimeDays (enforce)');
    const ns2 = blocks.find((b) => b.includes('no-op SecondaryDnsPeer/main/ns2-primary'));
    expect(ns2).toContain('peer "ns2.example.com" address 2001:db8::53 is outside the allowed networks');
    expect(ns2).toMatch(/desired-state\/peers\.yaml:\d+:\d+ \/spec\/ip/);
    expect(plan.stdout).toContain('10 guardrail errors, shown beside their resources.');
    expect(plan.stdout).toContain('This plan has errors: it cannot be applied until they are fixed.');
    expect(plan.stderr.match(/error\[E_POLICY_VIOLATION\]/g)).toHaveLength(10);

    const json = await built('plan', '--format', 'json');
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout) as PlanJson;
    expect(doc.errors.filter((e) => e.code === 'E_POLICY_VIOLATION')).toHaveLength(10);
    expect(doc.steps.flatMap((s) => s.guardrails ?? [])).toHaveLength(10);
    expect(
      doc.steps
        .find((s) => s.address.name === 'ci-dns-edit')
        ?.guardrails?.map((g) => g.rule)
        .sort(),
    ).toEqual(['forbiddenPermissionGroups', 'tokenMaxLifetimeDays']);

    // A plan that cannot be applied is never saved for `apply PLAN`.
    const saved = await built('plan', '--out', 'refused.json');
    expect(saved.code).toBe(1);
    expect(saved.stderr).toContain('Not saving the plan to refused.json: it has errors.');
    await expect(world.ws.read('refused.json')).rejects.toThrow();

    const md = await built('plan', '--format', 'markdown');
    expect(md.code).toBe(1);
    expect(md.stdout).toContain(
      '<details open><summary><code>  no-op</code> <code>AccountToken/main/ci-dns-edit</code>',
    );

    const validate = await built('validate');
    expect(validate.code).toBe(1);
    const reported = validate.stderr.split('\n').filter((l) => l.startsWith('error[E_POLICY_VIOLATION]: '));
    expect(reported).toHaveLength(10);
    expect(reported).toContainEqual(
      expect.stringMatching(
        /^error\[E_POLICY_VIOLATION\]: desired-state\/tokens\.yaml:\d+:\d+ \/spec\/policies\/0\/permission_groups\/0 permission group "DNS Write" is forbidden/,
      ),
    );
    expect(validate.stderr).toContain('10 errors in 5 files');

    // Drift reports differences, not what apply would refuse: still in sync, with a report.
    const drift = await built('drift');
    expect(drift.code, drift.stdout + drift.stderr).toBe(0);

    // Nothing was applied or recorded by any of this: the resources and the state are as the first apply left them.
    const again = await built('apply', '--auto-approve');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('E_POLICY_VIOLATION');
  });

  test('WHEN the policy comes with mode: enforce-new THEN existing resources only warn, apply records it, and a new non-compliant token is refused beside its create step', async () => {
    expect((await built('apply', '--auto-approve')).code).toBe(0);
    await addPolicy('    mode: enforce-new');

    const validate = await built('validate');
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stderr.match(/^warning\[W_POLICY_VIOLATION\]: desired-state\//gm)).toHaveLength(10);
    expect(validate.stdout).toContain('valid (1 account); 10 guardrail warnings');

    const plan = await built('plan', '--detailed-exitcode');
    expect(plan.code, plan.stderr).toBe(2); // the config changed; no resource does
    expect(plan.stdout).toContain('10 guardrail warnings, shown beside their resources.');
    expect(plan.stdout).toContain('tolerated while the resource stays as applied (policy.mode: enforce-new)');
    const applied = await built('apply', '--auto-approve');
    expect(applied.code, applied.stderr).toBe(0);

    await world.ws.write(
      'desired-state/tokens.yaml',
      `${await world.ws.read('desired-state/tokens.yaml')}${NEW_TOKEN}`,
    );
    const refused = await built('plan', '--format', 'json');
    expect(refused.code).toBe(1);
    const doc = JSON.parse(refused.stdout) as PlanJson;
    const fresh = doc.steps.find((s) => s.address.name === 'new-reader');
    expect(fresh?.action).toBe('create');
    expect(fresh?.guardrails).toEqual([expect.objectContaining({ rule: 'tokenMaxLifetimeDays', severity: 'error' })]);
    expect(doc.errors.map((e) => e.code)).toEqual(['E_POLICY_VIOLATION']);
    expect(doc.warnings.filter((w) => w.code === 'W_POLICY_VIOLATION')).toHaveLength(10);

    // Compliant, the new token goes through while the old ones are still being fixed.
    const soon = new Date(Date.now() + 30 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const tokens = await world.ws.read('desired-state/tokens.yaml');
    await world.ws.write('desired-state/tokens.yaml', `${tokens}  expires_on: ${soon}\n`);
    const ok = await built('apply', '--auto-approve');
    expect(ok.code, ok.stderr).toBe(0);
    const settled = await built('plan', '--detailed-exitcode');
    expect(settled.code, settled.stdout + settled.stderr).toBe(0);
  });
});
