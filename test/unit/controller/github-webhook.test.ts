import { describe, expect, test } from 'vitest';
import { checkSignature, pushVerdict, signBody } from '../../../src/controller/github-webhook.js';

const SECRET = "It's a Secret to Everybody";
// GitHub's documented example: this body and secret give this signature.
const BODY = Buffer.from('Hello, World!');
const SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

describe('checkSignature', () => {
  test('GIVEN GitHub’s documented example THEN it verifies, and signBody gives the same header', () => {
    expect(checkSignature(SECRET, BODY, SIGNATURE)).toBe('ok');
    expect(signBody(SECRET, BODY)).toBe(SIGNATURE);
  });

  test.each([
    [undefined, 'unsigned'],
    ['', 'unsigned'],
    ['sha1=757107ea0eb2509fc211221cce984b8a37570b6d', 'bad-signature'],
    ['sha256=757107', 'bad-signature'],
    [SIGNATURE.replace(/.$/, '0'), 'bad-signature'],
    ['sha256=' + 'zz'.repeat(32), 'bad-signature'],
  ])('GIVEN header %j THEN %s', (header, expected) => {
    expect(checkSignature(SECRET, BODY, header)).toBe(expected);
  });

  test('GIVEN the right signature for another body THEN it is refused', () => {
    expect(checkSignature(SECRET, Buffer.from('Hello, World?'), SIGNATURE)).toBe('bad-signature');
  });
});

describe('pushVerdict', () => {
  const push = (p: unknown): Buffer => Buffer.from(JSON.stringify(p));
  const sha = 'a'.repeat(40);
  test.each([
    [
      'push',
      push({ ref: 'refs/heads/main', after: sha }),
      'main',
      { kind: 'reconcile', ref: 'refs/heads/main', commit: sha },
    ],
    ['push', push({ ref: 'refs/heads/dev', after: sha }), 'main', { kind: 'ignored' }],
    ['push', push({ ref: 'refs/heads/main', deleted: true }), 'main', { kind: 'ignored' }],
    ['push', push({ ref: 'refs/tags/v1' }), undefined, { kind: 'reconcile', ref: 'refs/tags/v1' }],
    ['ping', push({ zen: 'x' }), 'main', { kind: 'ignored', why: 'ping' }],
    ['issues', push({}), 'main', { kind: 'ignored' }],
    ['push', Buffer.from('payload=%7B%7D'), 'main', { kind: 'invalid' }],
    ['push', push({ after: sha }), 'main', { kind: 'invalid' }],
  ])('GIVEN a %s event THEN %j', (event, body, branch, expected) => {
    expect(pushVerdict(event, body, branch)).toMatchObject(expected);
  });
});
