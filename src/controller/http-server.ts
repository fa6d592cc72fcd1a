/**
 * The controller's HTTP endpoints, on node:http (five routes do not need a framework):
 *
 *   GET  /healthz       200 while the process runs (liveness)
 *   GET  /readyz        200 or 503 with {ready, role, reason} (readiness)
 *   GET  /metrics       Prometheus text format
 *   GET  /status        the last cycle's report and the controller's state, as JSON
 *   POST /hooks/github  a GitHub push webhook, HMAC-verified
 *   POST /reconcile     run a cycle now; accepted from loopback only (`kubectl port-forward`, `kubectl exec`)
 *
 * Every JSON body goes through the secret scrubber on its way out, a last layer under reports that hold none.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../effects.js';
import { isLoopbackHost } from '../loopback.js';
import { secretScrubber } from '../secret.js';
import type { ControllerMetrics, WebhookOutcome } from './controller-metrics.js';
import { checkSignature, pushVerdict } from './github-webhook.js';

/** GitHub caps payloads at 25 MB; a push to a manifest repository is far smaller. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

export type Role = 'starting' | 'leader' | 'standby';

export interface ControllerView {
  readiness(): { ready: boolean; role: Role; reason: string };
  status(): unknown;
  metrics: ControllerMetrics;
  /** The branch pushes must name; undefined: any (a directory source). */
  branch: string | undefined;
  /** Undefined: no secret configured, so every delivery is refused. */
  webhookSecret(): Promise<string | undefined>;
  /** Asks for a cycle; says whether this replica runs it or handed it to the leader. */
  requestCycle(trigger: 'webhook' | 'manual'): Promise<'queued' | 'forwarded' | 'no-leader'>;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function startHttpServer(
  view: ControllerView,
  listen: { host: string; port: number },
  log: Logger,
): Promise<RunningServer> {
  const server: Server = createServer((req, res) => {
    handle(view, req, res, log).catch((e: unknown) => {
      log.error({ err: e instanceof Error ? e.message : String(e) }, 'controller HTTP handler failed');
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  // Probes and scrapes are short; a client that holds a connection open must not keep shutdown waiting.
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

async function handle(view: ControllerView, req: IncomingMessage, res: ServerResponse, log: Logger): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  const route = `${req.method ?? 'GET'} ${path}`;
  switch (route) {
    case 'GET /healthz': {
      json(res, 200, { status: 'ok' });
      return;
    }
    case 'GET /readyz': {
      const r = view.readiness();
      json(res, r.ready ? 200 : 503, r);
      return;
    }
    case 'GET /metrics': {
      const text = await view.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': view.metrics.registry.contentType });
      res.end(text);
      return;
    }
    case 'GET /status': {
      json(res, 200, view.status());
      return;
    }
    case 'POST /hooks/github':
      return githubHook(view, req, res, log);
    case 'POST /reconcile': {
      if (!isLoopbackHost(req.socket.remoteAddress ?? '')) {
        json(res, 403, {
          error: 'POST /reconcile is accepted from loopback only (kubectl port-forward or exec)',
        });
        return;
      }
      const outcome = await view.requestCycle('manual');
      json(res, outcome === 'no-leader' ? 503 : 202, { outcome });
      return;
    }
  }
  if (['/healthz', '/readyz', '/metrics', '/status', '/hooks/github', '/reconcile'].includes(path ?? '')) {
    json(res, 405, { error: `${req.method ?? ''} is not allowed on ${path ?? ''}` });
    return;
  }
  json(res, 404, { error: 'not found' });
}

async function githubHook(view: ControllerView, req: IncomingMessage, res: ServerResponse, log: Logger): Promise<void> {
  const refuse = (status: number, outcome: WebhookOutcome, error: string): void => {
    view.metrics.recordWebhook(outcome);
    log.warn({ outcome, remote: req.socket.remoteAddress }, `webhook refused: ${error}`);
    json(res, status, { error });
  };
  const secret = await view.webhookSecret();
  if (secret === undefined) {
    req.resume();
    refuse(403, 'not-configured', 'no webhook secret is configured (--webhook-secret-file or CFGITOPS_WEBHOOK_SECRET)');
    return;
  }
  const header = req.headers['x-hub-signature-256'];
  if (header === undefined) {
    req.resume();
    refuse(401, 'unsigned', 'the delivery has no X-Hub-Signature-256 header');
    return;
  }
  const body = await readBody(req);
  if (body === undefined) {
    refuse(413, 'invalid', `the body is larger than ${MAX_BODY_BYTES} bytes`);
    return;
  }
  const check = checkSignature(secret, body, Array.isArray(header) ? header[0] : header);
  if (check !== 'ok') {
    refuse(401, check, 'the X-Hub-Signature-256 signature does not match');
    return;
  }
  const event = req.headers['x-github-event'];
  const verdict = pushVerdict(Array.isArray(event) ? event[0] : event, body, view.branch);
  if (verdict.kind === 'invalid') {
    refuse(400, 'invalid', verdict.why);
    return;
  }
  if (verdict.kind === 'ignored') {
    view.metrics.recordWebhook('ignored');
    json(res, 200, { outcome: 'ignored', why: verdict.why });
    return;
  }
  view.metrics.recordWebhook('accepted');
  const outcome = await view.requestCycle('webhook');
  log.info({ ref: verdict.ref, commit: verdict.commit, outcome }, 'push webhook accepted');
  json(res, outcome === 'no-leader' ? 503 : 202, { outcome });
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      resolve(over ? undefined : Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = secretScrubber.scrub(`${JSON.stringify(body, null, 2)}\n`);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}
