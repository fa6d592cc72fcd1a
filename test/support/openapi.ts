/**
 * Contract validation against src/contract/openapi.json (OpenAPI 3.0.3: `$ref`s into components,
 * `nullable`). Every test that talks HTTP records the responses it sees here and fails on any mismatch.
 *
 * Where the file and docs/cloudflare-api.md disagree, the notes win. The exceptions, each applied below:
 *  1. Token status: docs/cloudflare-api.md lists `revoked (exposed)` (Cloudflare revokes leaked tokens); the schema's enum lacks
 *     it, so it is added to `iam_token_status`.
 *  2. Secondary DNS failures: the file's 4XX schemas are `allOf [success envelope, failure envelope]`, which no
 *     body can satisfy (`success` must be both true and false). docs/cloudflare-api.md: failures are `{success: false, …,
 *     result: null}`, so those responses are checked against the failure envelope alone.
 *  3. Statuses the file does not describe (5XX; any status of an unknown route) are failures per docs/cloudflare-api.md
 *     ("Envelope and errors") and are checked against the common failure envelope.
 *  4. Roll: the file marks the request body required; docs/cloudflare-api.md says the official TypeScript SDK sends none, so an
 *     absent body is valid. Delete bodies have no schema and are optional too.
 *  5. Message codes: the file says `code ≥ 1000`, but docs/cloudflare-api.md ("Rate limits", "Envelope and errors") documents the
 *     rate-limit answer as 429 with code 971, so the minimum is dropped.
 * Not an exception but OpenAPI semantics: a `readOnly` property in `required` is required only in responses.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export const DEFAULT_CONTRACT_URL = new URL('../../src/contract/openapi.json', import.meta.url);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = Record<string, Json>;

interface Operation {
  operationId: string;
  method: string;
  template: string;
  responses: Record<string, Json | undefined>;
  requestSchema: Json | undefined;
  requestRequired: boolean;
}

const FAILURE_REF = { $ref: 'cf#/components/schemas/iam_api-response-common-failure' };

function rebase(schema: Json): Json {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"cf#/components/')) as Json;
}

function isFailureAllOf(schema: Json | undefined): boolean {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema) || !Array.isArray(schema.allOf)) return false;
  return schema.allOf.some((s) => JSON.stringify(s).includes('api-response-common-failure'));
}

function stripReadOnlyRequired(node: Json, schemas: JsonObject): Json {
  if (Array.isArray(node)) return node.map((n) => stripReadOnlyRequired(n, schemas));
  if (node === null || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) out[k] = stripReadOnlyRequired(v, schemas);
  const props = node.properties;
  if (Array.isArray(node.required) && props && typeof props === 'object' && !Array.isArray(props)) {
    out.required = node.required.filter((n) => typeof n !== 'string' || !readOnly(props[n], schemas));
  }
  return out;
}

function readOnly(prop: Json | undefined, schemas: JsonObject): boolean {
  if (!prop || typeof prop !== 'object' || Array.isArray(prop)) return false;
  if (prop.readOnly === true) return true;
  const ref = prop.$ref;
  return typeof ref === 'string' && readOnly(schemas[ref.replace('#/components/schemas/', '')], schemas);
}

export class OpenApiContract {
  readonly operations: readonly Operation[];
  readonly #responseAjv: Ajv;
  readonly #requestAjv: Ajv;
  readonly #cache = new Map<string, ValidateFunction>();

  constructor(doc: { paths: JsonObject; components: JsonObject & { schemas: JsonObject } }) {
    const components = structuredClone(doc.components);
    const status = components.schemas.iam_token_status as { enum: string[] };
    status.enum = [...status.enum, 'revoked (exposed)']; // exception 1
    const messages = components.schemas.cf_messages as { items: { properties: { code: Record<string, Json> } } };
    delete messages.items.properties.code.minimum; // exception 5
    this.#responseAjv = addFormats(new Ajv({ strict: false, allErrors: true }));
    this.#responseAjv.addSchema({ $id: 'cf', components });
    this.#requestAjv = addFormats(new Ajv({ strict: false, allErrors: true }));
    this.#requestAjv.addSchema({ $id: 'cf', components: stripReadOnlyRequired(components, components.schemas) });
    const ops: Operation[] = [];
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const [method, raw] of Object.entries(item as JsonObject)) {
        const op = raw as {
          operationId?: string;
          responses?: Record<string, { content?: Record<string, { schema?: Json }> }>;
          requestBody?: { required?: boolean; content?: Record<string, { schema?: Json }> };
        };
        if (!op.operationId) continue;
        const responses: Record<string, Json | undefined> = {};
        for (const [code, r] of Object.entries(op.responses ?? {})) {
          const schema = r.content?.['application/json']?.schema;
          responses[code] = isFailureAllOf(schema) ? FAILURE_REF : schema === undefined ? undefined : rebase(schema); // exception 2
        }
        const requestSchema = op.requestBody?.content?.['application/json']?.schema;
        ops.push({
          operationId: op.operationId,
          method: method.toUpperCase(),
          template,
          responses,
          requestSchema: requestSchema === undefined ? undefined : rebase(requestSchema),
          // exception 4: roll and delete bodies are optional
          requestRequired:
            op.requestBody?.required === true && requestSchema !== undefined && !op.operationId.endsWith('roll-token'),
        });
      }
    }
    this.operations = ops;
  }

  static load(url: URL = DEFAULT_CONTRACT_URL): OpenApiContract {
    return new OpenApiContract(JSON.parse(readFileSync(url, 'utf8')) as never);
  }

  /** By operationId, or by `METHOD /path` (with or without `/client/v4`, query ignored; ids in the path). */
  operation(ref: string): Operation | undefined {
    const byId = this.operations.find((o) => o.operationId === ref);
    if (byId) return byId;
    const m = /^([A-Z]+) (\S+)$/.exec(ref);
    if (!m) return undefined;
    const path = m[2]!.split('?')[0]!.replace(/^\/client\/v4/, '');
    const candidates = this.operations.filter((o) => o.method === m[1] && templateMatches(o.template, path));
    // Static segments win over parameters: `tokens/verify` is not a token id.
    return candidates.sort((a, b) => paramCount(a.template) - paramCount(b.template))[0];
  }

  validateResponse(ref: string | undefined, status: number, body: unknown): string[] {
    const op = ref === undefined ? undefined : this.operation(ref);
    let schema: Json | undefined = FAILURE_REF; // exception 3
    if (op) {
      const declared = op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`] ?? op.responses.default;
      if (declared !== undefined) schema = declared;
      else if (status < 400) return [`${op.operationId}: status ${status} is not in the contract`];
    }
    return this.#run(this.#responseAjv, `res:${op?.operationId ?? '-'}:${status}`, schema, body);
  }

  validateRequest(ref: string, body: unknown): string[] {
    const op = this.operation(ref);
    if (!op) return [`no operation ${ref} in the contract`];
    if (body === undefined) return op.requestRequired ? [`${op.operationId}: request body is required`] : [];
    if (op.requestSchema === undefined) return [];
    return this.#run(this.#requestAjv, `req:${op.operationId}`, op.requestSchema, body);
  }

  #run(ajv: Ajv, key: string, schema: Json, body: unknown): string[] {
    let validate = this.#cache.get(key);
    if (!validate) {
      validate = ajv.compile(schema as object);
      this.#cache.set(key, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'invalid'}`);
  }
}

function templateMatches(template: string, path: string): boolean {
  const t = template.split('/');
  const p = path.split('/');
  return t.length === p.length && t.every((seg, i) => seg.startsWith('{') || seg === p[i]);
}

function paramCount(template: string): number {
  return template.split('{').length - 1;
}

export interface ContractViolation {
  operation: string;
  status: number;
  errors: string[];
}

/** Records every response a test saw; `assertNoContractViolations()` (in afterEach) fails the test on any mismatch. */
export class ContractRecorder {
  readonly violations: ContractViolation[] = [];
  seen = 0;
  readonly #contract: OpenApiContract;

  constructor(contract: OpenApiContract = sharedContract()) {
    this.#contract = contract;
  }

  record(ref: string | undefined, status: number, body: unknown): void {
    this.seen++;
    const errors = this.#contract.validateResponse(ref, status, body);
    if (errors.length > 0) this.violations.push({ operation: ref ?? '(no route)', status, errors });
  }

  assertNoContractViolations(): void {
    if (this.violations.length === 0) return;
    const lines = this.violations.map((v) => `${v.operation} ${v.status}: ${v.errors.join('; ')}`);
    this.violations.length = 0;
    throw new Error(`responses violate src/contract/openapi.json:\n${lines.join('\n')}`);
  }
}

let shared: OpenApiContract | undefined;

/** The contract loaded once per test worker. */
export function sharedContract(): OpenApiContract {
  shared ??= OpenApiContract.load();
  return shared;
}
