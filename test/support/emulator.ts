/**
 * Starts the emulator for a test file (127.0.0.1, port 0) with every API response validated against the contract.
 * Call `assertNoContractViolations()` in afterEach and `close()` in afterAll.
 */
import { randomBytes } from 'node:crypto';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/start-emulator.js';
import type { FaultEvent } from '../../src/emulator/api-server.js';
import { ContractRecorder } from './openapi.js';

export interface HttpResult {
  status: number;
  headers: Headers;
  // Tests inspect envelopes freely; the contract recorder is what checks their shape.
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface TestEmulator extends RunningEmulator {
  /** A fresh 32-hex account id for this emulator. */
  account: string;
  recorder: ContractRecorder;
  /** Calls `/client/v4` + path with the emulator's API token unless `headers.authorization` is given (or null). */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string | null>): Promise<HttpResult>;
  /** Calls `/__emulator` + path. */
  control(method: string, path: string, body?: unknown): Promise<HttpResult>;
  /** Resolves on the next fault that eats an answer. */
  nextFault(): Promise<FaultEvent>;
  assertNoContractViolations(): void;
}

export function randomAccountId(): string {
  return randomBytes(16).toString('hex');
}

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const recorder = new ContractRecorder();
  const waiters: ((e: FaultEvent) => void)[] = [];
  const emulator = await startEmulator({
    ...options,
    onResponse: (r) => {
      recorder.record(r.operationId ?? `${r.method} ${r.path}`, r.status, r.body);
      options.onResponse?.(r);
    },
    onFault: (e) => {
      for (const w of waiters.splice(0)) w(e);
      options.onFault?.(e);
    },
  });
  const call = async (
    url: string,
    method: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<HttpResult> => {
    const res = await fetch(url, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
  };
  return {
    ...emulator,
    account: randomAccountId(),
    recorder,
    api: (method, path, body, headers = {}) => {
      const h: Record<string, string> = {};
      if (!('authorization' in headers)) h.authorization = `Bearer ${emulator.apiToken}`;
      for (const [k, v] of Object.entries(headers)) if (v !== null) h[k] = v;
      return call(emulator.baseUrl + path, method, body, h);
    },
    control: (method, path, body) => call(emulator.controlUrl + path, method, body, {}),
    nextFault: () => new Promise((resolve) => waiters.push(resolve)),
    assertNoContractViolations: () => {
      recorder.assertNoContractViolations();
    },
  };
}

/** A minimal valid token body: one allow policy on the account with "DNS Read". */
export function tokenBody(account: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'ci-deploy',
    policies: [
      {
        effect: 'allow',
        permission_groups: [{ id: '82e64a83756745bbbb1c9c2701bf816b' }],
        resources: { [`com.cloudflare.api.account.${account}`]: '*' },
      },
    ],
    ...overrides,
  };
}
