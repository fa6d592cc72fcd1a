import { describe, expect, test } from 'vitest';
import { CfgitopsError } from '../../src/errors.js';

describe('GIVEN an error quoting manifest text with line breaks and control characters', () => {
  const error = new CfgitopsError('E_SCHEMA', 'unknown field bogus\n::add-mask::x\r\u001b[2J', {
    location: { file: 'm/a.yaml', line: 3, col: 1, pointer: '/spec/bogus\n::stop-commands::t' },
    hint: 'remove\nit',
  });

  test('WHEN formatted for people THEN it is one line and no line of it can be a workflow command', () => {
    const line = error.format();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toBe(
      'm/a.yaml:3:1 /spec/bogus\\n::stop-commands::t unknown field bogus\\n::add-mask::x\\r\\u001b[2J (remove\\nit)',
    );
  });

  test('WHEN serialised as JSON THEN the message is kept as it was (JSON escapes it itself)', () => {
    expect(error.toJSON().message).toBe('unknown field bogus\n::add-mask::x\r\u001b[2J');
  });
});
