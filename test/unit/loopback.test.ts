import { describe, expect, test } from 'vitest';
import { isLoopbackHost } from '../../src/loopback.js';

describe('isLoopbackHost', () => {
  test.each([
    ['localhost', true],
    ['LOCALHOST', true],
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['10.0.0.1', false],
    ['192.168.1.1', false],
    ['127.example.com', false],
    ['localhost.example.com', false],
    ['::ffff:10.0.0.1', false],
    ['api.cloudflare.com', false],
    ['', false],
  ])('GIVEN %s THEN loopback is %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
