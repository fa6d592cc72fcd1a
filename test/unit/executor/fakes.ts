/**
 * Test doubles for the executor's scheduling tests only: an in-memory StateLock that fails loudly if two commits
 * overlap (the executor must serialize them), and a CloudflareApi whose TSIG calls can be held open to observe
 * concurrency. API behaviour itself is tested against the real emulator in test/integration/executor/.
 */
import type { CfTsig, CloudflareApi } from '../../../src/cloudflare/types.js';
import { CfgitopsError } from '../../../src/errors.js';
import type { Plan, PlanStep } from '../../../src/planner/plan.js';
import { summarize } from '../../../src/planner/plan.js';
import { Secret } from '../../../src/secret.js';
import type { SecretSinks } from '../../../src/secrets/types.js';
import {
  applyStateChanges,
  emptyState,
  type StateChange,
  type StateDocument,
  type StateLock,
} from '../../../src/state/types.js';

export const ACCOUNT = '0123456789abcdef0123456789abcdef';

export class MemoryLock implements StateLock {
  readonly info = { owner: 't', operation: 'apply', pid: 1, host: 'h', acquired_at: '', id: 'lock' };
  doc: StateDocument = emptyState('lineage');
  commits: StateChange[][] = [];
  #inCommit = false;
  /** Fail the nth commit (1-based). */
  failAt: number | undefined;

  current(): StateDocument {
    return this.doc;
  }

  async commit(changes: readonly StateChange[]): Promise<StateDocument> {
    if (this.#inCommit) throw new Error('overlapping commits');
    this.#inCommit = true;
    try {
      await Promise.resolve();
      await Promise.resolve();
      if (this.failAt === this.commits.length + 1) throw new CfgitopsError('E_STATE_IO', 'disk full');
      this.commits.push([...changes]);
      this.doc = { ...applyStateChanges(this.doc, changes), serial: this.doc.serial + 1 };
      return this.doc;
    } finally {
      this.#inCommit = false;
    }
  }

  async release(): Promise<void> {}
}

/** A TSIG-only API whose calls finish when the test says so (or after a few microtask turns). */
export class GatedTsigApi {
  inFlight = 0;
  maxInFlight = 0;
  calls: string[] = [];
  #next = 0;
  /** Make createTsig throw this for a given Cloudflare name. */
  failFor = new Map<string, Error>();
  /** Called when a create starts; lets a test abort mid-run. */
  onCreate: ((name: string) => void) | undefined;

  asApi(): CloudflareApi {
    const unsupported = (): never => {
      throw new Error('not used by scheduling tests');
    };
    return new Proxy({} as CloudflareApi, {
      get: (_t, prop) => {
        if (prop === 'createTsig') return this.createTsig.bind(this);
        if (prop === 'deleteTsig') return this.deleteTsig.bind(this);
        if (prop === 'then') return undefined;
        return unsupported;
      },
    });
  }

  async createTsig(account: string, body: { name: string; algo: string; secret: Secret }) {
    this.calls.push(`create ${body.name}`);
    this.onCreate?.(body.name);
    await this.#hold();
    const failure = this.failFor.get(body.name);
    if (failure !== undefined) throw failure;
    const tsig: CfTsig = { id: `id${this.#next++}`, name: body.name, algo: body.algo, secret: body.secret };
    return { resource: tsig, recovered: false };
  }

  async deleteTsig(_account: string, id: string): Promise<void> {
    this.calls.push(`delete ${id}`);
    await this.#hold();
  }

  async #hold(): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    // Long enough for the other steps' serialized intent commits to land, so API calls really overlap.
    for (let i = 0; i < 60; i++) await Promise.resolve();
    this.inFlight--;
  }
}

export function tsigStep(name: string, action: PlanStep['action'] = 'create', dependsOn: string[] = []): PlanStep {
  const address = { kind: 'SecondaryDnsTsig' as const, account: ACCOUNT, name };
  return {
    id: `${action}:SecondaryDnsTsig/${ACCOUNT}/${name}`,
    action,
    address,
    cfName: `${name}.example.com.`,
    reason: 'test',
    diff: [],
    dependsOn,
    body: { kind: 'SecondaryDnsTsig', name: `${name}.example.com.`, algo: 'hmac-sha256.' },
  };
}

export function planOf(steps: PlanStep[]): Plan {
  return {
    format_version: 1,
    created_at: '2026-01-01T00:00:00.000Z',
    manifests_digest: 'x',
    config_digest: 'y',
    state: { lineage: 'lineage', serial: 0 },
    steps,
    summary: summarize(steps),
    warnings: [],
  };
}

export function tsigSecretsFor(steps: PlanStep[]): Map<string, Secret> {
  return new Map(
    steps.map((s) => [`SecondaryDnsTsig/${ACCOUNT}/${s.address.name}`, new Secret('c2VjcmV0LXRzaWctdmFsdWU=')]),
  );
}

export const noSinks: SecretSinks = {
  defaultSink: 'none',
  get: () => {
    throw new Error('no sinks in scheduling tests');
  },
  names: () => [],
};
