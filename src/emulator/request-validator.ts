/**
 * Validates request bodies against the request schemas of the contract (src/contract/openapi.json, which ships with
 * cfgitops like the emulator itself).
 *
 * OpenAPI semantics applied here: a `readOnly` property listed in `required` is required in responses only, so it
 * is dropped from `required` for requests (e.g. the peer PUT body's `id`, a policy's `id`).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import contract from '../contract/openapi.json' with { type: 'json' };
import { invalidBody } from './envelope.js';

// ajv-formats is CommonJS; under NodeNext its default import is the module namespace.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function stripReadOnlyRequired(node: Json, schemas: Record<string, Json>): Json {
  if (Array.isArray(node)) return node.map((n) => stripReadOnlyRequired(n, schemas));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(node)) out[k] = stripReadOnlyRequired(v, schemas);
  const props = node.properties;
  if (Array.isArray(node.required) && props && typeof props === 'object' && !Array.isArray(props)) {
    out.required = node.required.filter((name) => {
      if (typeof name !== 'string') return true;
      return !isReadOnly(props[name], schemas);
    });
  }
  return out;
}

function isReadOnly(prop: Json | undefined, schemas: Record<string, Json>): boolean {
  if (!prop || typeof prop !== 'object' || Array.isArray(prop)) return false;
  if (prop.readOnly === true) return true;
  const ref = prop.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
    return isReadOnly(schemas[ref.slice('#/components/schemas/'.length)], schemas);
  }
  return false;
}

export class RequestValidator {
  readonly #validators = new Map<string, ValidateFunction>();

  constructor() {
    const ajv = new Ajv({ strict: false, allErrors: false });
    addFormats(ajv);
    const doc = contract as unknown as { components: { schemas: Record<string, Json> }; paths: Record<string, Json> };
    const schemas = doc.components.schemas;
    ajv.addSchema({ $id: 'cf', components: stripReadOnlyRequired(doc.components, schemas) });
    for (const item of Object.values(doc.paths)) {
      if (!item || typeof item !== 'object' || Array.isArray(item)) continue;
      for (const op of Object.values(item)) {
        const o = op as { operationId?: string; requestBody?: { content?: Record<string, { schema?: Json }> } };
        const schema = o.requestBody?.content?.['application/json']?.schema;
        if (!o.operationId || schema === undefined) continue;
        const rebased = JSON.parse(
          JSON.stringify(stripReadOnlyRequired(schema, schemas)).replaceAll('"#/components/', '"cf#/components/'),
        ) as object;
        this.#validators.set(o.operationId, ajv.compile(rebased));
      }
    }
  }

  /** Throws a 400 envelope error (code 1001, `source.pointer`) when the body does not match the contract. */
  check(operationId: string, body: unknown): void {
    const validate = this.#validators.get(operationId);
    if (!validate || validate(body)) return;
    const err = validate.errors?.[0];
    throw invalidBody(describe(err), pointerOf(err));
  }
}

function pointerOf(err: ErrorObject | undefined): string {
  if (!err) return '';
  if (err.keyword === 'required') {
    return `${err.instancePath}/${(err.params as { missingProperty: string }).missingProperty}`;
  }
  return err.instancePath;
}

function describe(err: ErrorObject | undefined): string {
  if (!err) return 'Invalid request body';
  return `Invalid request body: ${err.instancePath || '(body)'} ${err.message ?? 'is invalid'}`;
}
