/**
 * The setup every end-to-end test file shares: one emulator per file (every response contract-checked), a fresh
 * workspace and an emptied account per test, the CLI run in-process with its output kept, and — after each test —
 * a scan of everything printed plus the state file for every secret the emulator ever minted.
 *
 * Call `useE2eWorld()` at the top of a test file; read `world.emulator` / `world.ws` inside tests.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { EmulatorOptions } from '../../src/emulator/start-emulator.js';
import { runCli, type CliResult } from './cli.js';
import { startTestEmulator, type TestEmulator } from './emulator.js';
import { assertNoSecretIn } from './leaks.js';
import { createWorkspace, type Workspace } from './workspace.js';

export interface E2eWorld {
  readonly emulator: TestEmulator;
  readonly ws: Workspace;
  /** Everything the CLI printed in this test (and whatever the test adds): scanned for secrets after it. */
  readonly outputs: string[];
  cli: (...argv: string[]) => Promise<CliResult>;
}

export interface E2eWorldOptions {
  emulator?: EmulatorOptions;
  /** Start from a copy of the example manifests (default) or an empty repository. */
  example?: boolean;
  /** Runs before each test, once the workspace exists (more servers, keys, manifests). */
  setup?: () => Promise<void> | void;
  /** Runs after each test, before the leak scan (e.g. kill child processes and keep their output). */
  beforeScan?: () => Promise<void> | void;
  /** Runs after each test, once the scan is done and the workspace is gone. */
  teardown?: () => Promise<void> | void;
}

export function useE2eWorld(options: E2eWorldOptions = {}): E2eWorld {
  let emulator: TestEmulator | undefined;
  let ws: Workspace | undefined;
  const outputs: string[] = [];
  const world: E2eWorld = {
    get emulator() {
      if (!emulator) throw new Error('the e2e emulator is not started (use the world inside tests)');
      return emulator;
    },
    get ws() {
      if (!ws) throw new Error('the e2e workspace exists only inside a test');
      return ws;
    },
    outputs,
    cli: async (...argv) => {
      const r = await runCli(argv, { cwd: world.ws.dir, env: world.ws.env });
      outputs.push(r.stdout, r.stderr);
      return r;
    },
  };

  beforeAll(async () => {
    emulator = await startTestEmulator({ rateLimit: false, ...options.emulator });
  });
  afterAll(async () => {
    await emulator?.close();
  });
  beforeEach(async () => {
    await world.emulator.control('POST', '/reset');
    ws = await createWorkspace(world.emulator, { example: options.example !== false });
    await options.setup?.();
  });
  afterEach(async () => {
    await options.beforeScan?.();
    world.emulator.assertNoContractViolations();
    outputs.push(await world.ws.read('.cfgitops/state.json').catch(() => ''));
    outputs.push(await world.ws.read('.cfgitops/state.json.wal').catch(() => ''));
    await assertNoSecretIn(world.emulator, outputs, world.ws.env);
    outputs.length = 0;
    await world.ws.cleanup();
    ws = undefined;
    await options.teardown?.();
  });
  return world;
}
