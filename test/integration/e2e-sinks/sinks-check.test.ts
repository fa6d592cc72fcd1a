/**
 * `cfgitops sinks check` against a repository configuring every sink type: exit 0 when all are ready, 1 naming
 * exactly the sinks that are not — and in both cases nothing written: no file, no GitHub PUT, no exec run.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { useSinkWorld, writeSinkRepo } from './harness.js';

const ALL = ['age-files', 'age-yaml', 'dotenv', 'gh-env', 'gh-repo', 'local', 'vault'];

const world = useSinkWorld({ setup: () => writeSinkRepo(world.ws, { gh: world.gh, age: world.age }) });
const { cli } = world;

/** Every file and directory under the workspace with its content: what "nothing written" compares. */
async function snapshot(dir = world.ws.dir): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    out[relative(world.ws.dir, path)] = entry.isDirectory() ? '<dir>' : await readFile(path, 'utf8');
  }
  return out;
}

interface CheckJson {
  ok: boolean;
  sinks: { name: string; type: string; default: boolean; ok: boolean; detail: string }[];
}

async function checkBothFormats(): Promise<{ json: CheckJson; code: number; text: string }> {
  const before = await snapshot();
  const j = await cli('sinks', 'check', '--format', 'json');
  const t = await cli('sinks', 'check');
  expect(t.code).toBe(j.code);
  expect(await snapshot(), 'sinks check wrote nothing').toEqual(before);
  expect(world.gh.fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  return { json: JSON.parse(j.stdout) as CheckJson, code: j.code, text: t.stdout };
}

describe('GIVEN every sink type configured and ready', () => {
  test('WHEN checked THEN exit 0, every sink ok, the default marked, and nothing written or run', async () => {
    const { json, code, text } = await checkBothFormats();
    expect(code, text).toBe(0);
    expect(json.ok).toBe(true);
    expect(json.sinks.map((s) => [s.name, s.ok])).toEqual(ALL.map((n) => [n, true]));
    expect(json.sinks.filter((s) => s.default).map((s) => s.name)).toEqual(['local']);
    expect(Object.fromEntries(json.sinks.map((s) => [s.name, s.type]))).toEqual({
      'age-files': 'age',
      'age-yaml': 'age',
      dotenv: 'file',
      'gh-env': 'github-actions',
      'gh-repo': 'github-actions',
      local: 'file',
      vault: 'exec',
    });
    // The GitHub sinks proved their public keys are readable.
    expect(world.gh.fake.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /repos/acme/app/actions/secrets/public-key',
      'GET /repos/acme/app/actions/secrets/public-key',
      'GET /repos/acme/app/environments/prod/secrets/public-key',
      'GET /repos/acme/app/environments/prod/secrets/public-key',
    ]);
  });
});

const breakages: [what: string, failing: string[], breakIt: () => Promise<void>][] = [
  ['the default json file is a directory', ['local'], () => mkdirIn('.cfgitops/secrets.json')],
  ['the dotenv file is a directory', ['dotenv'], () => mkdirIn('.cfgitops/tokens.env')],
  ['the age files directory is a file', ['age-files'], () => world.ws.write('secrets/tokens', 'not a directory\n')],
  ['the age yaml file is a directory', ['age-yaml'], () => mkdirIn('secrets/tokens.yaml')],
  ['a GitHub environment does not exist', ['gh-env'], () => editConfig('environment: prod', 'environment: staging')],
  [
    'GITHUB_TOKEN is not set',
    ['gh-env', 'gh-repo'],
    () => {
      delete world.ws.env['GITHUB_TOKEN'];
      return Promise.resolve();
    },
  ],
  ['GitHub answers 500', ['gh-env', 'gh-repo'], () => ((world.gh.failing = true), Promise.resolve())],
  ['the exec program does not exist', ['vault'], () => editConfig(JSON.stringify(process.execPath), './no-such-vault')],
];

async function mkdirIn(path: string): Promise<void> {
  await mkdir(join(world.ws.dir, path), { recursive: true });
}
async function editConfig(from: string, to: string): Promise<void> {
  const text = await world.ws.read('desired-state/cfgitops.yaml');
  expect(text).toContain(from);
  await world.ws.write('desired-state/cfgitops.yaml', text.replace(from, to));
}

describe.each(breakages)('GIVEN %s', (_what, failing, breakIt) => {
  test('WHEN checked THEN exit 1 naming exactly the sinks not ready, others ok, nothing written', async () => {
    await breakIt();
    const { json, code, text } = await checkBothFormats();
    expect(code, text).toBe(1);
    expect(json.ok).toBe(false);
    expect(json.sinks.filter((s) => !s.ok).map((s) => s.name)).toEqual(failing);
    expect(json.sinks.filter((s) => s.ok).map((s) => s.name)).toEqual(ALL.filter((n) => !failing.includes(n)));
    for (const name of failing) {
      expect(text).toMatch(new RegExp(`^FAIL +${name}\\b.*\\S`, 'm'));
      expect(json.sinks.find((s) => s.name === name)?.detail.length).toBeGreaterThan(0);
    }
  });
});
