/**
 * The controller's Prometheus metrics (prom-client, on a registry of its own rather than the global one). Gauges
 * are set from the last cycle's report; counters only ever go up. The list is documented in docs/controller.md.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import type { Gauge, Registry } from 'prom-client';
import { RESOURCE_KINDS } from '../kinds/registry.js';
import type { CycleReport } from './cycle-report.js';

export type WebhookOutcome = 'accepted' | 'ignored' | 'unsigned' | 'bad-signature' | 'not-configured' | 'invalid';

export interface ControllerMetrics {
  readonly registry: Registry;
  recordCycle(report: CycleReport): void;
  recordWebhook(outcome: WebhookOutcome): void;
  recordSourceSync(ok: boolean): void;
  setLeader(leader: boolean): void;
  setConsecutiveFailures(n: number): void;
  /** Stops counting API calls (the diagnostics subscription is process-wide). */
  close(): void;
}

// prom-client is loaded by the controller only, not by every command that registers it.
const require = createRequire(import.meta.url);

export function createControllerMetrics(options: { apiBasePath: string }): ControllerMetrics {
  const { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } = require('prom-client') as typeof PromClient;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cfgitops_' });
  const m = (name: string): string => `cfgitops_${name}`;
  const cycles = new Counter({
    name: m('controller_cycles_total'),
    help: 'Reconcile cycles by mode and result (in-sync, applied, changes-pending, suspended, failed).',
    labelNames: ['mode', 'result'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: m('controller_cycle_duration_seconds'),
    help: 'Duration of reconcile cycles.',
    labelNames: ['mode'],
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [registry],
  });
  const gauge = (name: string, help: string, labelNames: string[] = []): Gauge =>
    new Gauge({ name: m(name), help, labelNames, registers: [registry] });
  const managed = gauge('managed_resources', 'Resources recorded in state, by kind.', ['kind']);
  const drifted = gauge(
    'drifted_resources',
    'Resources that differed from the manifests at the start of the last cycle.',
  );
  const pending = gauge('pending_changes', 'Changes left to do after the last cycle (plan/drift mode: all of them).');
  const suspended = gauge('suspended', '1 while the Config says spec.suspend: true.');
  const suspendedResources = gauge(
    'suspended_resources',
    'Resources annotated cfgitops.dev/suspend: "true" that had changes held back.',
  );
  const oldestValue = gauge(
    'token_value_oldest_age_seconds',
    'Age of the oldest managed token value (value_issued_at).',
  );
  const dueRotation = gauge(
    'tokens_due_for_rotation',
    'Managed tokens due by their rotation policy (or --rotate-after where none sets every), as the planner decides.',
  );
  const lastApply = gauge(
    'last_successful_apply_timestamp_seconds',
    'When the last apply-mode cycle ended in sync or applied.',
  );
  const lastCycle = gauge('controller_last_cycle_timestamp_seconds', 'When the last cycle ended, whatever its result.');
  const leader = gauge('controller_leader', '1 on the replica that reconciles, 0 on standbys.');
  const failures = gauge('controller_consecutive_failures', 'Failed cycles in a row (0 after a success).');
  const webhooks = new Counter({
    name: m('webhook_requests_total'),
    help: 'POST /hooks/github requests by outcome (accepted, ignored, unsigned, bad-signature, not-configured, invalid).',
    labelNames: ['result'],
    registers: [registry],
  });
  const syncs = new Counter({
    name: m('source_syncs_total'),
    help: 'Manifest source syncs (git fetch, directory check) by result.',
    labelNames: ['result'],
    registers: [registry],
  });
  const apiCalls = new Counter({
    name: m('api_requests_total'),
    help: 'Cloudflare API requests answered, by method and HTTP status code.',
    labelNames: ['method', 'code'],
    registers: [registry],
  });
  const apiErrors = new Counter({
    name: m('api_request_errors_total'),
    help: 'Cloudflare API requests that got no answer (connection failed, timed out, aborted).',
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: m('api_rate_limited_total'),
    help: 'Cloudflare API answers with status 429 (cfgitops paces under the limit: this should stay 0).',
    registers: [registry],
  });
  for (const kind of RESOURCE_KINDS) managed.set({ kind }, 0);
  for (const g of [drifted, pending, suspended, suspendedResources, dueRotation, failures, leader]) g.set(0);
  rateLimited.inc(0);
  apiErrors.inc(0);

  // Every request of the Cloudflare client goes through undici, which reports each answer on this channel; the
  // path prefix keeps other undici traffic (the GitHub sink) out of the count.
  const isApi = (request: { path?: unknown }): boolean =>
    typeof request.path === 'string' && request.path.startsWith(options.apiBasePath);
  const onHeaders = (message: unknown): void => {
    const { request, response } = message as {
      request: { path?: unknown; method?: unknown };
      response: { statusCode: number };
    };
    if (!isApi(request)) return;
    apiCalls.inc({ method: String(request.method), code: String(response.statusCode) });
    if (response.statusCode === 429) rateLimited.inc();
  };
  const onError = (message: unknown): void => {
    if (isApi((message as { request: { path?: unknown } }).request)) apiErrors.inc();
  };
  subscribe('undici:request:headers', onHeaders);
  subscribe('undici:request:error', onError);

  return {
    registry,
    recordCycle: (r) => {
      cycles.inc({ mode: r.mode, result: r.result });
      duration.observe({ mode: r.mode }, r.durationMs / 1000);
      lastCycle.set(Date.parse(r.finishedAt) / 1000);
      if (r.result === 'failed') return; // keep the last known picture rather than zeros
      drifted.set(r.drifted);
      pending.set(r.pending);
      suspended.set(r.suspended.config ? 1 : 0);
      suspendedResources.set(r.suspended.resources.length);
      if (r.managed) for (const [kind, n] of Object.entries(r.managed)) managed.set({ kind }, n);
      if (r.tokens) {
        dueRotation.set(r.tokens.dueForRotation);
        if (r.tokens.oldestValueAgeSeconds !== undefined) oldestValue.set(r.tokens.oldestValueAgeSeconds);
        else oldestValue.reset();
      }
      if (r.mode === 'apply' && (r.result === 'applied' || r.result === 'in-sync')) {
        lastApply.set(Date.parse(r.finishedAt) / 1000);
      }
    },
    recordWebhook: (outcome) => {
      webhooks.inc({ result: outcome });
    },
    recordSourceSync: (ok) => {
      syncs.inc({ result: ok ? 'success' : 'failure' });
    },
    setLeader: (on) => {
      leader.set(on ? 1 : 0);
    },
    setConsecutiveFailures: (n) => {
      failures.set(n);
    },
    close: () => {
      unsubscribe('undici:request:headers', onHeaders);
      unsubscribe('undici:request:error', onError);
    },
  };
}
