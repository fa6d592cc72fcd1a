import { describe, expect, test } from 'vitest';
import { parsePrNumber, readGitHubContext } from '../../../src/github/github-context.js';
import { stickyMarker } from '../../../src/github/pr-comment-client.js';

const files = (content: Record<string, string>) => (p: string) =>
  content[p] === undefined ? Promise.reject(new Error('ENOENT')) : Promise.resolve(content[p]);

describe('GIVEN the Actions environment', () => {
  test.each([
    ['pull_request event', { pull_request: { number: 42 } }, undefined, 42],
    ['issue_comment on a PR', { issue: { number: 7, pull_request: {} } }, undefined, 7],
    ['issue_comment on an issue', { issue: { number: 7 } }, undefined, undefined],
    ['push event', { ref: 'refs/heads/main' }, undefined, undefined],
    ['--pr given', { pull_request: { number: 42 } }, 9, 9],
  ])('WHEN the event is a %s THEN the PR is %s', async (_what, event, explicit, pr) => {
    const ctx = await readGitHubContext(
      { GITHUB_ACTIONS: 'true', GITHUB_EVENT_PATH: '/ev.json', GITHUB_REPOSITORY: 'acme/dns' },
      files({ '/ev.json': JSON.stringify(event) }),
      explicit,
    );
    expect(ctx.pr).toBe(pr);
    expect(ctx).toMatchObject({ actions: true, repository: 'acme/dns', apiUrl: 'https://api.github.com' });
  });

  test('WHEN GITHUB_ACTIONS is unset THEN the context says so', async () => {
    expect((await readGitHubContext({}, files({}))).actions).toBe(false);
  });

  test('WHEN the event file is unreadable THEN it fails with E_GITHUB', async () => {
    await expect(readGitHubContext({ GITHUB_EVENT_PATH: '/missing' }, files({}))).rejects.toMatchObject({
      code: 'E_GITHUB',
    });
  });

  test.each(['0', '-1', 'abc', '1.5'])('WHEN --pr is %j THEN it is E_USAGE', (text) => {
    expect(() => parsePrNumber(text)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});

describe('GIVEN a sticky-comment key', () => {
  test.each([
    ['desired-state', '<!-- cfgitops:plan:desired-state -->'],
    ['a--b', '<!-- cfgitops:plan:a-b -->'],
    ['a---b', '<!-- cfgitops:plan:a-b -->'],
  ])('WHEN the key is %j THEN the marker is a valid HTML comment %j', (key, marker) => {
    expect(stickyMarker(key)).toBe(marker);
  });
});
