/**
 * The CLI grammar's parse, without running a command: the directory is the last argument (after a list, when it
 * names an existing directory), the deprecated --dir still works with one warning, and two different directories
 * are a usage error, never a silent choice.
 */
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { forceUnlockRequest } from '../../../src/cli/grammar/force-unlock.js';
import { rotateRequest } from '../../../src/cli/grammar/rotate.js';
import { chooseDir, splitTrailingDir } from '../../../src/cli/options.js';

let cwd: string;
const written: string[] = [];
const env = () => ({ cwd, stderr: { write: (s: string) => written.push(s) > 0 } });

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'cfgitops-grammar-'));
  await mkdir(join(cwd, 'manifests'));
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('chooseDir', () => {
  test('GIVEN no directory THEN desired-state, without a warning', () => {
    written.length = 0;
    expect(chooseDir('cfgitops x DIR', undefined, undefined, env())).toBe('desired-state');
    expect(written).toEqual([]);
  });

  test('GIVEN only --dir THEN it is used, with one warning line naming the new form', () => {
    written.length = 0;
    expect(chooseDir('cfgitops state list DIR', undefined, 'manifests', env())).toBe('manifests');
    expect(written).toEqual([
      'warning: --dir is deprecated; give the directory as the last argument: cfgitops state list DIR\n',
    ]);
  });

  test('GIVEN both, naming different directories THEN E_USAGE', () => {
    expect(() => chooseDir('cfgitops x DIR', 'a', 'b', env())).toThrow(/two manifest directories/);
  });
});

describe('the directory after a list', () => {
  test('GIVEN names then an existing directory THEN the last argument is the directory', () => {
    expect(splitTrailingDir(['ci', 'logs', 'manifests'], env())).toEqual({ rest: ['ci', 'logs'], dir: 'manifests' });
    expect(splitTrailingDir(['ci', 'logs'], env())).toEqual({ rest: ['ci', 'logs'] });
  });

  test('GIVEN rotate NAME DIR --strategy roll THEN a typed request', () => {
    written.length = 0;
    expect(rotateRequest(['ci', 'manifests'], { format: 'json', strategy: 'roll', dryRun: true }, env())).toEqual({
      dir: 'manifests',
      names: ['ci'],
      strategy: 'roll',
      dryRun: true,
      format: 'json',
      emulator: false,
    });
  });

  test('GIVEN force-unlock with one argument THEN it is the directory when it names one, else the lock id', () => {
    expect(forceUnlockRequest('manifests', undefined, { format: 'text' }, env())).toEqual({
      dir: 'manifests',
      emulator: false,
      format: 'text',
    });
    expect(forceUnlockRequest('6f1c2d', undefined, { format: 'text' }, env())).toMatchObject({
      id: '6f1c2d',
      dir: 'desired-state',
    });
    expect(forceUnlockRequest('6f1c2d', 'manifests', { format: 'text' }, env())).toMatchObject({
      id: '6f1c2d',
      dir: 'manifests',
    });
  });
});
