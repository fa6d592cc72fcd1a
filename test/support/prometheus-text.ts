/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4, what prom-client serves and Prometheus
 * scrapes), for tests that must fail when /metrics is malformed. The npm `parse-prometheus-text-format` is lenient
 * where a scrape is not: it takes `foo abc` as a sample and any word as a metric, and drops histogram labels.
 *
 * Checked here, each failure naming the line: the grammar of names, labels (escapes included) and values; HELP and
 * TYPE at most once per family and before its samples; a family's samples together; no series twice; counters not
 * negative; histograms with `le` buckets that never decrease, a `+Inf` bucket equal to `_count`, and a `_sum`, per
 * label set; summaries with `quantile` labels, `_sum` and `_count`.
 */

export type PromType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface PromSample {
  /** The sample's own name: for a histogram `x`, one of `x_bucket`, `x_sum`, `x_count`. */
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

export interface PromFamily {
  name: string;
  type: PromType;
  help: string;
  samples: PromSample[];
}

export class PromParseError extends Error {}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: readonly PromType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];
const SUFFIXES: Record<PromType, readonly string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

export function parsePrometheusText(text: string): PromFamily[] {
  const families = new Map<string, PromFamily>();
  const closed = new Set<string>();
  let current: PromFamily | undefined;
  const seriesSeen = new Set<string>();
  const typed = new Set<string>();
  if (text !== '' && !text.endsWith('\n')) throw new PromParseError('the exposition does not end with a newline');
  const lines = text.split('\n');
  lines.pop();
  lines.forEach((line, i) => {
    const at = `line ${i + 1}`;
    const fail = (why: string): never => {
      throw new PromParseError(`${at}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!m) return; // an ordinary comment
      const [, keyword, name, rest = ''] = m as unknown as [string, 'HELP' | 'TYPE', string, string?];
      if (!METRIC_NAME.test(name)) fail(`"${name}" is not a metric name`);
      const family = familyFor(name, 'untyped');
      if (keyword === 'HELP') {
        if (family.help !== '') fail(`a second HELP for ${name}`);
        family.help = unescapeHelp(rest, fail);
      } else {
        const type = rest.trim() as PromType;
        if (!TYPES.includes(type)) fail(`"${rest}" is not a metric type`);
        if (family.samples.length > 0) fail(`TYPE for ${name} after its samples`);
        if (typed.has(name)) fail(`a second TYPE for ${name}`);
        typed.add(name);
        family.type = type;
      }
      return;
    }
    const sample = parseSample(line, fail);
    const family = owningFamily(sample.name) ?? familyFor(sample.name, 'untyped');
    familyFor(family.name, family.type);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seriesSeen.has(key)) fail('the same series twice');
    seriesSeen.add(key);
    if (family.type === 'counter' && !(sample.value >= 0)) fail('a counter below zero (or NaN)');
    if (family.type === 'histogram' && sample.name === `${family.name}_bucket` && sample.labels['le'] === undefined) {
      fail('a histogram bucket without "le"');
    }
    if (family.type === 'summary' && sample.name === family.name && sample.labels['quantile'] === undefined) {
      fail('a summary sample without "quantile"');
    }
    family.samples.push(sample);
  });
  for (const family of families.values()) checkFamily(family);
  return [...families.values()];

  // Samples of one family must come together; a family is "current" from its first HELP/TYPE/sample on.
  function familyFor(name: string, type: PromType): PromFamily {
    let family = families.get(name);
    if (family === undefined) {
      family = { name, type, help: '', samples: [] };
      families.set(name, family);
    }
    if (current !== family) {
      if (closed.has(name)) throw new PromParseError(`the samples of ${name} are not together`);
      if (current) closed.add(current.name);
      current = family;
    }
    return family;
  }

  function owningFamily(sampleName: string): PromFamily | undefined {
    for (const family of [current, ...families.values()]) {
      if (family && SUFFIXES[family.type].some((s) => `${family.name}${s}` === sampleName)) return family;
    }
    return undefined;
  }
}

function parseSample(line: string, fail: (why: string) => never): PromSample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) fail('a sample line must start with a metric name');
  const name = nameMatch[0];
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === '{') {
    pos++;
    for (;;) {
      if (line[pos] === '}') {
        pos++;
        break;
      }
      const ln = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(pos));
      if (!ln || !LABEL_NAME.test(ln[0])) fail(`a label name expected at column ${pos + 1}`);
      const labelName = ln[0];
      pos += labelName.length;
      if (line[pos] !== '=' || line[pos + 1] !== '"') fail(`'="' expected after label ${labelName}`);
      pos += 2;
      let value = '';
      for (;;) {
        const ch = line[pos];
        if (ch === undefined) fail(`the value of label ${labelName} is not closed`);
        pos++;
        if (ch === '"') break;
        if (ch === '\\') {
          const esc = line[pos++];
          if (esc === '\\') value += '\\';
          else if (esc === '"') value += '"';
          else if (esc === 'n') value += '\n';
          else fail(`"\\${esc ?? ''}" is not an escape in a label value`);
        } else value += ch;
      }
      if (labelName in labels) fail(`label ${labelName} twice`);
      labels[labelName] = value;
      if (line[pos] === ',') pos++;
      else if (line[pos] !== '}') fail(`',' or '}' expected at column ${pos + 1}`);
    }
  }
  const rest = line.slice(pos);
  const m = /^[ \t]+(\S+)(?:[ \t]+(\S+))?[ \t]*$/.exec(rest);
  if (!m) fail('a value expected after the name and labels');
  const value = parseValue(m[1]!);
  if (value === undefined) fail(`"${m[1]!}" is not a sample value`);
  const sample: PromSample = { name, labels, value };
  if (m[2] !== undefined) {
    if (!/^-?\d+$/.test(m[2])) fail(`"${m[2]}" is not a timestamp`);
    sample.timestampMs = Number(m[2]);
  }
  return sample;
}

function parseValue(text: string): number | undefined {
  if (text === 'NaN') return NaN;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

function unescapeHelp(text: string, fail: (why: string) => never): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    return fail(`"\\${c}" is not an escape in HELP`);
  });
}

function checkFamily(family: PromFamily): void {
  const where = `${family.type} ${family.name}`;
  if (family.type !== 'histogram' && family.type !== 'summary') return;
  const groups = new Map<string, PromSample[]>();
  for (const s of family.samples) {
    const { le: _le, quantile: _q, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  for (const [key, samples] of groups) {
    const count = samples.find((s) => s.name === `${family.name}_count`);
    const sum = samples.find((s) => s.name === `${family.name}_sum`);
    if (count === undefined || sum === undefined) {
      throw new PromParseError(`${where}${key}: _count and _sum are both required`);
    }
    if (family.type === 'summary') continue;
    const buckets = samples
      .filter((s) => s.name === `${family.name}_bucket`)
      .map((s) => ({ le: parseValue(s.labels['le']!), value: s.value }));
    if (buckets.some((b) => b.le === undefined || Number.isNaN(b.le))) {
      throw new PromParseError(`${where}${key}: a bucket's "le" is not a number`);
    }
    buckets.sort((a, b) => a.le! - b.le!);
    for (let i = 1; i < buckets.length; i++) {
      if (buckets[i]!.value < buckets[i - 1]!.value) {
        throw new PromParseError(`${where}${key}: bucket le=${buckets[i]!.le} holds fewer than the one below it`);
      }
    }
    const inf = buckets.at(-1);
    if (inf?.le !== Infinity) throw new PromParseError(`${where}${key}: no le="+Inf" bucket`);
    if (inf.value !== count.value) {
      throw new PromParseError(`${where}${key}: the +Inf bucket (${inf.value}) differs from _count (${count.value})`);
    }
  }
}

/**
 * The value of the sample named `name` whose labels include `labels`; 0 when its family is there but that series
 * is not (prom-client shows a labelled counter's series once it was incremented). Throws when no family has such a
 * sample name (a typo must not read as 0) and when several series match.
 */
export function sampleValue(families: PromFamily[], name: string, labels: Record<string, string> = {}): number {
  const family = families.find((f) => SUFFIXES[f.type].some((s) => `${f.name}${s}` === name));
  if (family === undefined) throw new Error(`/metrics has no family with samples named ${name}`);
  const hits = family.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (hits.length > 1) {
    throw new Error(`${hits.length} series match ${name}${JSON.stringify(labels)}: name every label that differs`);
  }
  return hits[0]?.value ?? 0;
}
