import { describe, expect, test } from 'vitest';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js';

const GOOD = `# HELP jobs_total Jobs done, by result.
# TYPE jobs_total counter
jobs_total{result="ok",mode="a"} 3
jobs_total{result="say \\"hi\\"\\\\\\n",mode="a"} 1
# HELP latency_seconds How long.
# TYPE latency_seconds histogram
latency_seconds_bucket{le="0.5",mode="a"} 1
latency_seconds_bucket{le="+Inf",mode="a"} 2
latency_seconds_sum{mode="a"} 1.25
latency_seconds_count{mode="a"} 2
# TYPE up gauge
up 1 1700000000000
temp -1.5e3
`;

describe('parsePrometheusText (strict)', () => {
  test('GIVEN a well-formed exposition THEN families, types, escaped labels, histogram samples and timestamps come back', () => {
    const families = parsePrometheusText(GOOD);
    expect(families.map((f) => [f.name, f.type])).toEqual([
      ['jobs_total', 'counter'],
      ['latency_seconds', 'histogram'],
      ['up', 'gauge'],
      ['temp', 'untyped'],
    ]);
    expect(families[0]!.help).toBe('Jobs done, by result.');
    expect(families[0]!.samples[1]!.labels['result']).toBe('say "hi"\\\n');
    expect(sampleValue(families, 'jobs_total', { result: 'ok' })).toBe(3);
    expect(sampleValue(families, 'jobs_total', { result: 'absent' })).toBe(0);
    expect(sampleValue(families, 'latency_seconds_count', { mode: 'a' })).toBe(2);
    expect(sampleValue(families, 'latency_seconds_bucket', { le: '+Inf' })).toBe(2);
    expect(families[2]!.samples[0]).toEqual({ name: 'up', labels: {}, value: 1, timestampMs: 1700000000000 });
    expect(sampleValue(families, 'temp')).toBe(-1500);
    expect(() => sampleValue(families, 'jobs_totl')).toThrow(/no family/);
    expect(() => sampleValue(families, 'jobs_total', { mode: 'a' })).toThrow(/2 series/);
  });

  test.each([
    ['a value that is not a number', 'foo abc\n', /not a sample value/],
    ['a line that is not a sample', 'garbage line here\n', /not a sample value/],
    ['an unquoted label value', 'foo{a=b} 1\n', /'="' expected/],
    ['an unclosed label value', 'foo{a="b} 1\n', /not closed/],
    ['a bad escape', 'foo{a="\\t"} 1\n', /not an escape/],
    ['a label twice', 'foo{a="1",a="2"} 1\n', /label a twice/],
    ['no trailing newline', 'foo 1', /newline/],
    ['a series twice', 'foo{a="1"} 1\nfoo{a="1"} 2\n', /same series twice/],
    ['a negative counter', '# TYPE c counter\nc -1\n', /below zero/],
    ['an unknown type', '# TYPE c countr\nc 1\n', /not a metric type/],
    ['TYPE after samples', 'c 1\n# TYPE c counter\n', /after its samples/],
    ['a second HELP', '# HELP c a\n# HELP c b\nc 1\n', /second HELP/],
    ['samples apart', 'a 1\nb 1\na{x="1"} 2\n', /not together/],
    [
      'a decreasing histogram bucket',
      '# TYPE h histogram\nh_bucket{le="1"} 3\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n',
      /fewer than the one below/,
    ],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n', /\+Inf/],
    [
      '+Inf differing from _count',
      '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n',
      /differs from _count/,
    ],
    ['a histogram without _sum', '# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_count 1\n', /_count and _sum/],
  ])('GIVEN %s THEN it is refused', (_what, text, error) => {
    expect(() => parsePrometheusText(text)).toThrow(error);
  });
});
