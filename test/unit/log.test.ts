import { describe, expect, test } from 'vitest';
import { createLogger } from '../../src/log.js';
import { Secret } from '../../src/secret.js';

describe('createLogger', () => {
  const value = 'cfat_logtestabcdefghijklmnopqrstuvwxyz012345';

  test.each([
    ['JSON', false],
    ['pretty', true],
  ])(
    'GIVEN a %s logger with a plain { write } destination WHEN a registered secret is logged in a free-text field THEN it is scrubbed',
    (_name, pretty) => {
      const lines: string[] = [];
      new Secret(value);
      const log = createLogger({ level: 'info', pretty, destination: { write: (s: string) => lines.push(s) } });
      log.info({ note: `leaked ${value}`, value }, `message with ${value}`);
      const text = lines.join('');
      expect(text).toContain('message with [redacted]');
      expect(text).not.toContain(value);
    },
  );

  test('GIVEN a pretty logger WHEN it logs THEN each line is written before the call returns (nothing is lost at exit)', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', pretty: true, destination: { write: (s: string) => lines.push(s) } });
    log.warn({ step: 'create:x' }, 'first');
    log.error('second');
    expect(lines.join('')).toMatch(/WARN.*first.*\n.*ERROR.*second/s);
  });

  test('GIVEN a pretty logger without colour THEN lines carry no ANSI escapes; with colour they do', () => {
    const plain: string[] = [];
    createLogger({ level: 'info', pretty: true, destination: { write: (s: string) => plain.push(s) } }).info('x');
    expect(plain.join('')).not.toContain('\u001b[');
    const coloured: string[] = [];
    createLogger({
      level: 'info',
      pretty: true,
      color: true,
      destination: { write: (s: string) => coloured.push(s) },
    }).info('x');
    expect(coloured.join('')).toContain('\u001b[');
  });
});
