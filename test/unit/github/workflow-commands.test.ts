import { describe, expect, test } from 'vitest';
import { CfgitopsError, CfgitopsErrors } from '../../../src/errors.js';
import { failureMarkdown } from '../../../src/github/github-reporter.js';
import {
  escapeData,
  escapeProperty,
  errorAnnotation,
  formatAnnotation,
} from '../../../src/github/workflow-commands.js';
import { escapeMarkdownText, truncateMarkdown } from '../../../src/github/step-summary.js';
import { Secret } from '../../../src/secret.js';

describe('GIVEN text for a workflow command', () => {
  test.each([
    ['100%', '100%25', '100%25'],
    ['a\nb', 'a%0Ab', 'a%0Ab'],
    ['a\r\nb', 'a%0D%0Ab', 'a%0D%0Ab'],
    ['x:y,z', 'x:y,z', 'x%3Ay%2Cz'],
    ['%0A', '%250A', '%250A'],
  ])('WHEN %j is escaped THEN data is %j and a property is %j', (raw, data, prop) => {
    expect(escapeData(raw)).toBe(data);
    expect(escapeProperty(raw)).toBe(prop);
  });

  test('WHEN a message tries to start its own command on a new line THEN it stays on one line', () => {
    const line = formatAnnotation({ level: 'error', message: 'bad\n::set-output name=x::y' });
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toBe('::error::bad%0A::set-output name=x::y');
  });
});

describe('GIVEN a positioned error', () => {
  test('WHEN annotated THEN file, line, col and the code as title are properties', () => {
    const e = new CfgitopsError('E_SCHEMA', 'must be one of allow, deny', {
      location: { file: 'desired-state/a,b:c.yaml', line: 14, col: 7, pointer: '/spec/policies/0/effect' },
      hint: 'fix it',
    });
    const line = errorAnnotation(e);
    const m = /^::error (.*?)::(.*)$/.exec(line);
    expect(m?.[1]).toBe('file=desired-state/a%2Cb%3Ac.yaml,line=14,col=7,title=E_SCHEMA');
    expect(m?.[2]).toContain('/spec/policies/0/effect');
  });

  test('WHEN the error has no location THEN only the title is given', () => {
    expect(errorAnnotation(new CfgitopsError('E_API', 'boom'))).toMatch(/^::error title=E_API::boom/);
  });

  test('WHEN a message contains a registered secret THEN the annotation does not', () => {
    const secret = new Secret('tsig-secret-value-1234567890');
    const line = errorAnnotation(new CfgitopsError('E_CONFIG', `oops ${secret.reveal()}`));
    expect(line).not.toContain(secret.reveal());
  });
});

describe('GIVEN Markdown output', () => {
  test('WHEN manifest text holds markup THEN it is escaped, hidden comments included', () => {
    expect(escapeMarkdownText('<!-- cfgitops:plan:x --> a|b & c')).toBe('&lt;!-- cfgitops:plan:x --&gt; a\\|b &amp; c');
  });

  test('WHEN a failure is rendered THEN every error code appears with its position', () => {
    const errors = new CfgitopsErrors([
      new CfgitopsError('E_SCHEMA', 'bad', { location: { file: 'd/p.yaml', line: 3, col: 5 } }),
      new CfgitopsError('E_UNKNOWN_KIND', 'worse'),
    ]);
    const md = failureMarkdown('plan', 'desired-state', errors.errors);
    expect(md).toContain('**E_SCHEMA** `d/p.yaml:3:5`');
    expect(md).toContain('**E_UNKNOWN_KIND**');
  });

  test.each([10, 100, 1000])('WHEN a %i-line document is truncated to 500 chars THEN it fits and says so', (n) => {
    const md = Array.from({ length: n }, (_, i) => `line ${i}`).join('\n');
    const out = truncateMarkdown(md, 500);
    expect(out.length).toBeLessThanOrEqual(Math.max(500, md.length));
    if (md.length > 500) expect(out).toContain('truncated');
    else expect(out).toBe(md);
  });
});
