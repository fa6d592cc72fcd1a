/**
 * ajv's raw errors → the few positioned errors a person needs. ajv reports every failing branch of a `oneOf` /
 * `anyOf`; we keep only the branch the document most nearly matches, so `{name: X, scope: zonee}` says "scope must
 * be one of …", not "must have required property id".
 */
import type { ErrorObject } from 'ajv';
import { CfgitopsError } from '../errors.js';
import { didYouMeanHint } from './did-you-mean.js';
import type { Locate } from './document-locator.js';
import { joinPointer } from './json-pointer.js';

const UNION = new Set(['oneOf', 'anyOf']);
/** Errors that mean "this branch is the wrong shape altogether", as opposed to a wrong value deeper down. */
const SHAPE = new Set(['required', 'additionalProperties', 'type', 'const', 'discriminator']);

const FORMATS: Readonly<Record<string, string>> = {
  'date-time': 'an RFC 3339 date-time with a time zone, e.g. 2030-01-01T00:00:00Z',
  cidr: 'a CIDR such as 192.0.2.0/24 or 2001:db8::/32',
  ip: 'an IPv4 or IPv6 address',
  uri: 'a URL',
};

export function schemaErrors(raw: readonly ErrorObject[], locate: Locate): CfgitopsError[] {
  const kept = pruneUnionBranches(raw);
  const out: CfgitopsError[] = [];
  const seen = new Set<string>();
  for (const e of kept) {
    const err = toCfgitopsError(e, locate);
    const key = `${err.location?.pointer ?? ''}|${err.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(err);
  }
  return out;
}

function pruneUnionBranches(raw: readonly ErrorObject[]): ErrorObject[] {
  let errors = [...raw];
  const unions = raw.filter((e) => UNION.has(e.keyword)).sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const union of unions) {
    if (!errors.includes(union)) continue;
    const prefix = `${union.schemaPath}/`;
    const branches = new Map<number, ErrorObject[]>();
    const under = `${union.instancePath}/`;
    for (const e of errors) {
      // schemaPath has no array indices: the same union at /items/0 and /items/1 shares it.
      if (!e.schemaPath.startsWith(prefix)) continue;
      if (e.instancePath !== union.instancePath && !e.instancePath.startsWith(under)) continue;
      const index = Number(e.schemaPath.slice(prefix.length).split('/')[0]);
      const list = branches.get(index) ?? [];
      list.push(e);
      branches.set(index, list);
    }
    const scored = [...branches.values()].map((list) => ({
      list,
      score: list.filter((e) => e.instancePath === union.instancePath && SHAPE.has(e.keyword)).length,
    }));
    scored.sort((a, b) => a.score - b.score || a.list.length - b.list.length);
    const best = scored[0];
    const tie = best === undefined || (scored[1] !== undefined && scored[1].score === best.score) || best.score > 0;
    const drop = new Set(scored.flatMap((s) => (tie || s !== best ? s.list : [])));
    drop.add(union);
    errors = errors.filter((e) => !drop.has(e));
    if (tie)
      errors.push(
        typeUnion(
          union,
          scored.map((s) => s.list),
        ) ?? union,
      );
  }
  return errors;
}

/** `3` where a string or a mapping is allowed: say "must be a string or a mapping", not "matches no form". */
function typeUnion(union: ErrorObject, branches: readonly ErrorObject[][]): ErrorObject | undefined {
  const types: string[] = [];
  for (const list of branches) {
    const [only, ...rest] = list;
    if (!only || rest.length > 0 || only.keyword !== 'type' || only.instancePath !== union.instancePath)
      return undefined;
    types.push(String((only.params as { type?: unknown }).type));
  }
  return { ...union, keyword: 'type', params: { type: types.join(',') } };
}

function toCfgitopsError(e: ErrorObject, locate: Locate): CfgitopsError {
  const here = e.instancePath;
  const description = describe(e.parentSchema);
  const make = (pointer: string, message: string, hint?: string, key = false): CfgitopsError =>
    new CfgitopsError('E_SCHEMA', message, {
      location: locate(pointer, { key }),
      hint: hint ?? description ?? 'see the JSON Schemas in schemas/ for the allowed shape',
    });
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const field = String(params['missingProperty']);
      const sub = (e.parentSchema?.['properties'] as Record<string, unknown> | undefined)?.[field];
      return make(joinPointer(here, field), `missing required field ${field}`, describe(sub));
    }
    case 'additionalProperties': {
      const field = String(params['additionalProperty']);
      const allowed = Object.keys((e.parentSchema?.['properties'] as Record<string, unknown> | undefined) ?? {});
      const hint =
        didYouMeanHint(field, allowed) ?? (allowed.length > 0 ? `allowed here: ${allowed.join(', ')}` : undefined);
      return make(joinPointer(here, field), `unknown field ${field}`, hint, true);
    }
    case 'propertyNames':
    case 'pattern':
      if (e.propertyName !== undefined || params['propertyName'] !== undefined) {
        const name = String(e.propertyName ?? params['propertyName']);
        return make(joinPointer(here, name), `key ${JSON.stringify(name)} is not allowed here`, description, true);
      }
      return make(here, 'does not have the expected form', description);
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(String);
      const hint = typeof e.data === 'string' ? didYouMeanHint(e.data, allowed) : undefined;
      return make(here, `must be one of ${allowed.join(', ')}`, hint);
    }
    case 'const':
      return make(here, `must be ${JSON.stringify(params['allowedValue'])}`, description);
    case 'type':
      return make(here, `must be ${article(String(params['type']))}`, description);
    case 'format': {
      const format = String(params['format']);
      return make(here, `must be ${FORMATS[format] ?? format}`, description);
    }
    case 'discriminator': {
      const tag = String(params['tag']);
      const branches = (e.parentSchema?.['oneOf'] as { properties?: Record<string, { const?: unknown }> }[]) ?? [];
      const allowed = branches.map((b) => String(b.properties?.[tag]?.const));
      const value = params['tagValue'];
      const hint = typeof value === 'string' ? didYouMeanHint(value, allowed) : undefined;
      return make(joinPointer(here, tag), `must be one of ${allowed.join(', ')}`, hint);
    }
    case 'not':
      return make(here, 'has a combination of fields that is not allowed', description);
    case 'oneOf':
    case 'anyOf':
      return make(here, 'does not match any of the allowed forms', description);
    default:
      return make(here, e.message ?? `fails ${e.keyword}`, description);
  }
}

function describe(schema: unknown): string | undefined {
  const d = (schema as { description?: unknown } | undefined)?.description;
  return typeof d === 'string' ? d : undefined;
}

function article(type: string): string {
  const names: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: 'a string',
    integer: 'an integer',
    number: 'a number',
    boolean: 'true or false',
    null: 'null',
  };
  return type
    .split(',')
    .map((t) => names[t] ?? t)
    .join(' or ');
}
