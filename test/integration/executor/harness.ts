/**
 * The real pieces the executor runs against in integration tests: the emulator on 127.0.0.1:0, the real client,
 * the file state store and the file sink in a temp dir. Plans are built by hand with the helpers below.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCloudflareClient, type CloudflareClient } from '../../../src/cloudflare/cloudflare-client.js';
import { Pacer } from '../../../src/cloudflare/pacer.js';
import { defaultConfig } from '../../../src/config/types.js';
import { systemClock, type Clock } from '../../../src/effects.js';
import type { ApplyResult, ProgressEvent } from '../../../src/executor/apply-result.js';
import { executePlan } from '../../../src/executor/execute-plan.js';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/start-emulator.js';
import type { FaultRule } from '../../../src/emulator/faults.js';
import { silentLogger } from '../../../src/log.js';
import { summarize, type Plan, type PlanStep } from '../../../src/planner/plan.js';
import { addressKey, type ResourceAddress, type ResourceKind } from '../../../src/resources.js';
import { Secret } from '../../../src/secret.js';
import { createSecretSinks } from '../../../src/secrets/create-secret-sinks.js';
import type { SecretSinks } from '../../../src/secrets/types.js';
import { createFileStateStore } from '../../../src/state/file-state-store.js';
import type { StateDocument, StateStore } from '../../../src/state/types.js';

export const ACCOUNT = '0123456789abcdef0123456789abcdef';
/** "DNS Read" in src/contract/permission-groups.json (docs/cloudflare-api.md). */
export const DNS_READ = '82e64a83756745bbbb1c9c2701bf816b';

/** The executor's clock: fixed, so recorded times are exact. */
export const FIXED_NOW = Date.parse('2026-03-01T12:00:00.000Z');
const executorClock: Clock = { now: () => FIXED_NOW, sleep: (ms, signal) => systemClock.sleep(ms, signal) };

export interface Harness {
  emulator: RunningEmulator;
  api: CloudflareClient;
  store: StateStore;
  sinks: SecretSinks;
  dir: string;
  /** TSIG secrets by address key, as the loader would resolve them. */
  tsigSecrets: Map<string, Secret>;
  apply(
    steps: PlanStep[],
    options?: { concurrency?: number; signal?: AbortSignal; sinks?: SecretSinks },
  ): Promise<ApplyResult>;
  progress: ProgressEvent[];
  state(): Promise<StateDocument>;
  /** What the `local` file sink holds. */
  sinkFile(): Promise<Record<string, string>>;
  faults(rules: FaultRule[]): void;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'cfgitops-executor-'));
  const emulator = await startEmulator({ rateLimit: false, seed: 7 });
  const log = silentLogger();
  const api = createCloudflareClient({
    baseUrl: emulator.baseUrl,
    credentials: { type: 'token', token: new Secret(emulator.apiToken) },
    clock: systemClock,
    random: () => 0.5,
    log,
    pacing: new Pacer({ requests: 100_000, windowSeconds: 1 }, systemClock),
    retry: { retries: 3, minTimeoutMs: 0, maxTimeoutMs: 0, deadlineSeconds: 60 },
    timeouts: { connectMs: 5_000, headersMs: 10_000, bodyMs: 10_000 },
  });
  const store = createFileStateStore({
    path: join(dir, 'state.json'),
    clock: systemClock,
    random: Math.random,
    hostname: 'test-host',
    pid: process.pid,
    owner: 'test@test-host',
  });
  const config = defaultConfig();
  config.sinks = {
    local: { type: 'file', path: 'secrets.json', format: 'json' },
    // A sink whose directory is a regular file: every write fails.
    broken: { type: 'file', path: 'not-a-dir/secrets.json', format: 'json' },
  };
  const { writeFile } = await import('node:fs/promises');
  await writeFile(join(dir, 'not-a-dir'), 'this is a file, not a directory');
  const sinks = createSecretSinks(config, { env: {}, clock: systemClock, log, cwd: dir });
  const tsigSecrets = new Map<string, Secret>();
  const progress: ProgressEvent[] = [];
  let ids = 0;

  return {
    emulator,
    api,
    store,
    sinks,
    dir,
    tsigSecrets,
    progress,
    async apply(steps, options = {}) {
      const lock = await store.lock('apply', 0);
      try {
        return await executePlan(planOf(steps, lock.current()), {
          api,
          lock,
          sinks: options.sinks ?? sinks,
          tsigSecrets,
          clock: executorClock,
          newId: () => `intent-${ids++}`,
          log,
          concurrency: options.concurrency ?? 4,
          ...(options.signal ? { signal: options.signal } : {}),
          onProgress: (e) => progress.push(e),
        });
      } finally {
        await lock.release();
      }
    },
    state: () => store.read(),
    async sinkFile() {
      try {
        return JSON.parse(await readFile(join(dir, 'secrets.json'), 'utf8')) as Record<string, string>;
      } catch {
        return {};
      }
    },
    faults: (rules) => {
      emulator.faults.set(rules);
    },
    async close() {
      await api.close();
      await emulator.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function planOf(steps: PlanStep[], state: StateDocument): Plan {
  return {
    format_version: 1,
    created_at: new Date(FIXED_NOW).toISOString(),
    manifests_digest: 'test',
    config_digest: 'test',
    state: { lineage: state.lineage, serial: state.serial },
    steps,
    summary: summarize(steps),
    warnings: [],
  };
}

function address(kind: ResourceKind, name: string): ResourceAddress {
  return { kind, account: ACCOUNT, name };
}

export function stepId(action: PlanStep['action'], kind: ResourceKind, name: string): string {
  return `${action}:${addressKey(address(kind, name))}`;
}

type StepExtras = Partial<Omit<PlanStep, 'id' | 'address' | 'body'>>;

export function tsigCreate(h: Harness, name: string, extras: StepExtras = {}): PlanStep {
  const addr = address('SecondaryDnsTsig', name);
  h.tsigSecrets.set(addressKey(addr), new Secret(Buffer.from(`tsig-secret-of-${name}-0123456789`).toString('base64')));
  const cfName = `${name}.example.com.`;
  return {
    id: stepId('create', addr.kind, name),
    action: 'create',
    address: addr,
    cfName,
    reason: 'not in Cloudflare',
    diff: [],
    dependsOn: [],
    body: { kind: 'SecondaryDnsTsig', name: cfName, algo: 'hmac-sha512.' },
    ...extras,
  };
}

export function peerCreate(name: string, tsig: { ref: string } | { id: string } | undefined, extras: StepExtras = {}) {
  const addr = address('SecondaryDnsPeer', name);
  const step: PlanStep = {
    id: stepId('create', addr.kind, name),
    action: 'create',
    address: addr,
    cfName: `${name}-peer`,
    reason: 'not in Cloudflare',
    diff: [],
    dependsOn: tsig && 'ref' in tsig ? [stepId('create', 'SecondaryDnsTsig', tsig.ref)] : [],
    body: {
      kind: 'SecondaryDnsPeer',
      name: `${name}-peer`,
      ip: '192.0.2.53',
      port: 53,
      ixfr_enable: true,
      ...(tsig && 'ref' in tsig ? { tsig_ref: addressKey(address('SecondaryDnsTsig', tsig.ref)) } : {}),
      ...(tsig && 'id' in tsig ? { tsig_id: tsig.id } : {}),
    },
    ...extras,
  };
  return step;
}

export function tokenCreate(name: string, sink = 'local', extras: StepExtras = {}): PlanStep {
  const addr = address('AccountToken', name);
  return {
    id: stepId('create', addr.kind, name),
    action: 'create',
    address: addr,
    cfName: `cfgitops ${name}`,
    reason: 'not in Cloudflare',
    diff: [],
    dependsOn: [],
    body: {
      kind: 'AccountToken',
      body: {
        name: `cfgitops ${name}`,
        policies: [
          {
            effect: 'allow',
            permission_groups: [{ id: DNS_READ }],
            resources: { [`com.cloudflare.api.account.${ACCOUNT}`]: '*' },
          },
        ],
        status: 'active',
      },
    },
    sink: { sink, key: name },
    ...extras,
  };
}

export function key(kind: ResourceKind, name: string): string {
  return addressKey(address(kind, name));
}
