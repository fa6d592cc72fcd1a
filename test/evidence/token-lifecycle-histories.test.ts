/**
 * Random token lifecycle histories (issue 13): a seeded sequence of what happens to tokens over months — declared,
 * disabled, enabled, edited, expired (the emulator's clock and the CLI's move together), revoked as exposed,
 * changed or deleted out of band, protected and approved, removed from the manifests, and applies that die half-way
 * (a one-shot fault on a write). After every event, as a person would run it (the CLI in-process, the emulator over
 * real HTTP): `plan` never fails on a lifecycle event, `apply` converges, and a second plan is empty — except for
 * steps held for a person's decision (prevent-destroy on a token that must be re-created), which are the only
 * changes it may show; every sink value is a current token value and no pending intent is left.
 * CI: 3 histories of 10 events. CFGITOPS_EVIDENCE=long: 20 of 30. Replay with CFGITOPS_EVIDENCE_SEED.
 */
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { systemClock, type Clock } from '../../src/effects.js';
import { runCli } from '../support/cli.js';
import { useE2eWorld } from '../support/e2e-world.js';
import { EXAMPLE_ACCOUNT, liveResources } from '../support/workspace.js';
import { evidenceDice, sized } from './support/evidence-seed.js';

const HISTORIES = sized(3, 20);
const EVENTS = sized(10, 30);
const DAY_MS = 86_400_000;
const NAMES = ['alpha', 'beta', 'gamma'] as const;
const GROUPS = ['DNS Read', 'Zone Read', 'DNS Write'] as const;
const dice = evidenceDice('token-lifecycle-histories');
const world = useE2eWorld({ example: false });

interface DeclaredToken {
  status: 'active' | 'disabled';
  group: (typeof GROUPS)[number];
  /** Days from the history's clock at declaration, or none. */
  expiresOn?: string;
  protect: boolean;
  approve?: string;
}

type Event =
  | 'declare'
  | 'disable'
  | 'enable'
  | 'edit'
  | 'renew'
  | 'expire'
  | 'expose'
  | 'approve'
  | 'unprotect'
  | 'remove'
  | 'oob-delete'
  | 'oob-status'
  | 'crash';

const EVENT_KINDS: readonly Event[] = [
  'declare',
  'declare',
  'disable',
  'enable',
  'edit',
  'renew',
  'expire',
  'expose',
  'approve',
  'unprotect',
  'remove',
  'oob-delete',
  'oob-status',
  'crash',
];

const WRITE_OPERATIONS = [
  'account-api-tokens-create-token',
  'account-api-tokens-update-token',
  'account-api-tokens-delete-token',
  'account-api-tokens-roll-token',
];

/** Every event kind, in an order where each one has something to act on. */
const SCRIPT: readonly (readonly [Event, (typeof NAMES)[number]])[] = [
  ['declare', 'alpha'],
  ['disable', 'alpha'],
  ['crash', 'alpha'],
  ['enable', 'alpha'],
  ['edit', 'alpha'],
  ['renew', 'alpha'],
  ['expire', 'alpha'],
  ['renew', 'alpha'],
  ['expose', 'alpha'],
  ['oob-status', 'alpha'],
  ['oob-delete', 'alpha'],
  ['remove', 'alpha'],
  ['declare', 'beta'],
  ['expose', 'beta'],
  ['approve', 'beta'],
  ['unprotect', 'beta'],
];

let offsetMs = 0;
const clock: Clock = { now: () => systemClock.now() + offsetMs, sleep: (ms, signal) => systemClock.sleep(ms, signal) };
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

async function cli(...argv: string[]) {
  const r = await runCli(argv, { cwd: world.ws.dir, env: world.ws.env, clock });
  world.outputs.push(r.stdout, r.stderr);
  return r;
}

function manifests(declared: ReadonlyMap<string, DeclaredToken>): string {
  const docs = [
    `apiVersion: cfgitops.dev/v1\nkind: Config\nmetadata: {name: config}\nspec:\n  accounts: {main: ${EXAMPLE_ACCOUNT}}\n`,
  ];
  for (const [name, t] of [...declared].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const annotations = [
      ...(t.protect ? ['cfgitops.dev/prevent-destroy: "true"'] : []),
      ...(t.approve ? [`cfgitops.dev/approve-replace: "${t.approve}"`] : []),
    ];
    docs.push(
      [
        'apiVersion: cfgitops.dev/v1',
        'kind: AccountToken',
        'metadata:',
        `  name: ${name}`,
        '  account: main',
        ...(annotations.length > 0 ? ['  annotations:', ...annotations.map((a) => `    ${a}`)] : []),
        'spec:',
        `  name: lifecycle ${name}`,
        `  status: ${t.status}`,
        '  policies:',
        '    - effect: allow',
        `      permission_groups: [{name: ${t.group}}]`,
        `      resources: {com.cloudflare.api.account.${EXAMPLE_ACCOUNT}: "*"}`,
        ...(t.expiresOn ? [`  expires_on: ${t.expiresOn}`] : []),
        '',
      ].join('\n'),
    );
  }
  return docs.join('---\n');
}

type PlanJson = {
  steps: { action: string; address: { name: string }; targetId?: string; reason: string }[];
};

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

/** Hash of each token's current value → the token id. */
async function currentValueOwners(): Promise<Map<string, string>> {
  const res = await world.emulator.control('GET', `/resources?account=${EXAMPLE_ACCOUNT}&secrets=1`);
  const tokens =
    (res.body as { accounts: Record<string, { tokens: { id: string; value_sha256: string }[] }> }).accounts[
      EXAMPLE_ACCOUNT
    ]?.tokens ?? [];
  return new Map(tokens.map((t) => [t.value_sha256, t.id]));
}

async function liveTokenOf(name: string) {
  return (await liveResources(world.emulator)).tokens.find((t) => t.name === `lifecycle ${name}`);
}

describe('GIVEN random token lifecycle histories', () => {
  test.each(Array.from({ length: HISTORIES }, (_, i) => i))(
    'WHEN history %i unfolds THEN every plan succeeds, every apply converges and the next plan is empty',
    async (history) => {
      // Time only moves forward: the emulator was reset to its own clock, so it catches up with the CLI's. (A CLI
      // clock stepped back across in-process runs makes the process-wide pacer wait out answers it saw "later".)
      if (offsetMs > 0) {
        expect((await world.emulator.control('POST', '/clock/advance', { ms: offsetMs })).status).toBe(200);
      }
      const declared = new Map<string, DeclaredToken>();
      const log: string[] = [];
      const where = () => `${dice.label}, history ${history}: ${log.join(' → ')}`;
      const write = () => world.ws.write('desired-state/tokens.yaml', manifests(declared));
      await write();
      // History 0 plays every kind of event once on one token before its random part, whatever the seed.
      const scripted = history === 0 ? SCRIPT : [];
      for (let e = 0, tries = 0; e < EVENTS + scripted.length && tries < 20 * EVENTS; tries++) {
        const [event, name] = scripted[e] ?? [dice.pick(EVENT_KINDS), dice.pick(NAMES)];
        const t = declared.get(name);
        const live = await liveTokenOf(name);
        let crashed = false;
        switch (event) {
          case 'declare':
            if (t) continue;
            declared.set(name, {
              status: dice.pick(['active', 'disabled'] as const),
              group: dice.pick(GROUPS),
              // The script protects beta (to approve and unprotect it) and not alpha (to remove it).
              protect: scripted[e] ? name === 'beta' : dice.int(0, 3) === 0,
              ...(dice.int(0, 1) === 0 ? { expiresOn: iso(clock.now() + dice.int(2, 5) * DAY_MS) } : {}),
            });
            break;
          case 'disable':
          case 'enable':
            if (!t) continue;
            t.status = event === 'disable' ? 'disabled' : 'active';
            break;
          case 'edit':
            if (!t) continue;
            t.group = dice.pick(GROUPS.filter((g) => g !== t.group));
            break;
          case 'renew':
            if (!t) continue;
            t.expiresOn = iso(clock.now() + dice.int(2, 30) * DAY_MS);
            break;
          case 'expire': {
            const days = dice.int(3, 6);
            expect((await world.emulator.control('POST', '/clock/advance', { ms: days * DAY_MS })).status).toBe(200);
            offsetMs += days * DAY_MS;
            break;
          }
          case 'expose':
            if (!live || live.status === 'revoked (exposed)') continue;
            await world.emulator.control('PUT', `/accounts/${EXAMPLE_ACCOUNT}/tokens/${live.id}/status`, {
              status: 'revoked (exposed)',
            });
            break;
          case 'approve':
            if (!t?.protect || !live) continue;
            t.approve = live.id;
            break;
          case 'unprotect':
            if (!t?.protect) continue;
            t.protect = false;
            delete t.approve;
            break;
          case 'remove':
            // A protected token must lose its protection first (deleting it is an error, not a lifecycle event).
            if (!t || t.protect) continue;
            declared.delete(name);
            break;
          case 'oob-delete':
            if (!live) continue;
            expect(
              (await world.emulator.api('DELETE', `/accounts/${EXAMPLE_ACCOUNT}/tokens/${live.id}`, {})).status,
            ).toBe(200);
            break;
          case 'oob-status':
            if (!live || live.status === 'revoked (exposed)') continue;
            await world.emulator.control('PUT', `/accounts/${EXAMPLE_ACCOUNT}/tokens/${live.id}/status`, {
              status: live.status === 'disabled' ? 'active' : 'disabled',
            });
            break;
          case 'crash':
            crashed = true;
            break;
        }
        e++;
        log.push(`${event}${event === 'expire' || event === 'crash' ? '' : ` ${name}`}`);
        await write();

        const planned = await cli('plan', '--format', 'json', '--prune', '--allow-mass-delete');
        expect(planned.code, `${where()}\nplan failed:\n${planned.stdout}\n${planned.stderr}`).toBe(0);
        if (crashed) {
          // One write of this apply fails as if the run died there; the journal must let the next one finish.
          const rules = [{ kind: 'error', operationId: dice.pick(WRITE_OPERATIONS), status: 400, times: 1 }];
          expect((await world.emulator.control('PUT', '/faults', { rules })).status).toBe(200);
          await cli('apply', '--auto-approve', '--prune', '--allow-mass-delete');
          expect((await world.emulator.control('PUT', '/faults', { rules: [] })).status).toBe(200);
        }
        const applied = await cli('apply', '--auto-approve', '--prune', '--allow-mass-delete');
        expect(applied.code, `${where()}\napply failed:\n${applied.stdout}\n${applied.stderr}`).toBe(0);

        const again = await cli('plan', '--format', 'json', '--prune', '--allow-mass-delete');
        expect(again.code, `${where()}\nsecond plan failed:\n${again.stdout}\n${again.stderr}`).toBe(0);
        const leftover = (JSON.parse(again.stdout) as PlanJson).steps.filter((s) => s.action !== 'no-op');
        for (const s of leftover) {
          // Only a decision may remain: a protected token that must be re-created, held until a person says so.
          expect(s.action, `${where()}\nleft after apply: ${s.action} ${s.address.name} (${s.reason})`).toBe('held');
          expect(declared.get(s.address.name)?.protect, where()).toBe(true);
        }
        const state = await world.ws.stateFile();
        expect(state.pending, where()).toEqual({});
        // Every declared token that should be alive is live exactly once under its name, its sink holding its value.
        const tokens = (await liveResources(world.emulator)).tokens;
        const current = await currentValueOwners();
        const values = await world.ws.sinkValues();
        for (const [n, d] of declared) {
          const named = tokens.filter((x) => x.name === `lifecycle ${n}`);
          expect(named.length, `${where()}\n${n} live ${named.length} times`).toBeLessThanOrEqual(1);
          const ended = d.expiresOn !== undefined && Date.parse(d.expiresOn) <= clock.now();
          if (!ended) expect(named.length, `${where()}\n${n} is not live`).toBe(1);
          const held = leftover.some((s) => s.address.name === n);
          if (!ended && !held) {
            expect(named[0]?.status, `${where()}\n${n}`).toBe(d.status);
            const value = values[n];
            expect(value && current.get(sha256(value)), `${where()}\n${n}: the sink does not hold its value`).toBe(
              named[0]?.id,
            );
          }
        }
        for (const x of tokens) {
          const n = x.name.replace(/^lifecycle /, '');
          expect(declared.has(n), `${where()}\n${x.name} is live but no longer declared`).toBe(true);
        }
      }
      process.stderr.write(`[evidence] history ${history}: ${log.join(' → ')}\n`);
      expect(log.length, where()).toBe(EVENTS + scripted.length);
    },
    sized(120_000, 1_200_000),
  );
});
