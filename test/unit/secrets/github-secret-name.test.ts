import { describe, expect, test } from 'vitest';
import { githubSecretName } from '../../../src/secrets/github-secret-name.js';

describe('githubSecretName', () => {
  test.each([
    ['ci-deploy', 'CI_DEPLOY'],
    ['CF_API_TOKEN', 'CF_API_TOKEN'],
    ['_x', '_X'],
    ['dns.token', 'DNS_TOKEN'],
  ])('GIVEN key %s THEN the secret name is %s', (key, name) => {
    expect(githubSecretName(key)).toEqual({ ok: true, name });
  });

  test.each(['1token', 'github_token', 'GITHUB_X', '', '---'])('GIVEN key %j THEN it is rejected', (key) => {
    expect(githubSecretName(key).ok).toBe(false);
  });
});
