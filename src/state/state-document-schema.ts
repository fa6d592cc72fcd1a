/**
 * The shape of a recorded state document (src/state/types.ts), checked on every read: a hand-edited or truncated
 * state must stop a run with E_STATE_CORRUPT, never reach the planner half-parsed.
 */
import { RESOURCE_KINDS } from '../kinds/registry.js';

const sinkRef = {
  type: 'object',
  required: ['sink', 'key'],
  additionalProperties: false,
  properties: { sink: { type: 'string', minLength: 1 }, key: { type: 'string', minLength: 1 } },
} as const;

const kind = { enum: [...RESOURCE_KINDS] } as const;
const account = { type: 'string', pattern: '^[0-9a-f]{32}$' } as const;
const text = { type: 'string', minLength: 1 } as const;

export const recordedResourceSchema = {
  type: 'object',
  required: ['kind', 'account', 'name', 'id', 'cf_name', 'created_at', 'updated_at'],
  additionalProperties: false,
  properties: {
    kind,
    account,
    name: text,
    id: text,
    cf_name: { type: 'string' },
    created_at: text,
    updated_at: text,
    complete: { type: 'boolean' },
    sink: sinkRef,
    value_status: { enum: ['delivered', 'undelivered', 'external'] },
    stale_sinks: { type: 'array', items: sinkRef },
    value_issued_at: text,
    generation: { type: 'integer', minimum: 1 },
    predecessor: {
      type: 'object',
      required: ['id', 'cf_name', 'generation', 'rotated_at'],
      additionalProperties: false,
      properties: {
        id: text,
        cf_name: text,
        generation: { type: 'integer', minimum: 1 },
        rotated_at: text,
        expires_on: text,
      },
    },
    origin: { enum: ['created', 'adopted', 'imported'] },
    prevent_destroy: { type: 'boolean' },
    secret_ref: {
      oneOf: [
        { type: 'object', required: ['fromEnv'], additionalProperties: false, properties: { fromEnv: text } },
        { type: 'object', required: ['fromFile'], additionalProperties: false, properties: { fromFile: text } },
      ],
    },
  },
} as const;

export const intentSchema = {
  type: 'object',
  required: ['id', 'op', 'kind', 'account', 'name', 'cf_name', 'started_at'],
  additionalProperties: false,
  properties: {
    id: text,
    op: { enum: ['create', 'roll'] },
    kind,
    account,
    name: text,
    cf_name: { type: 'string' },
    started_at: text,
    resource_id: text,
    zone_id: text,
    sink: sinkRef,
  },
} as const;

const strings = { type: 'array', items: { type: 'string' } } as const;

/** One variant per SinkConfig type, closed: a field the code does not know (a token, say) is refused. */
const sinkConfigSchema = {
  type: 'object',
  required: ['type'],
  oneOf: [
    {
      type: 'object',
      required: ['type', 'path', 'format'],
      additionalProperties: false,
      properties: { type: { const: 'file' }, path: text, format: { enum: ['json', 'dotenv'] } },
    },
    {
      type: 'object',
      required: ['type', 'path', 'recipients', 'layout'],
      additionalProperties: false,
      properties: {
        type: { const: 'age' },
        path: text,
        recipients: strings,
        layout: { enum: ['files', 'yaml', 'json'] },
      },
    },
    {
      type: 'object',
      required: ['type', 'repository', 'tokenEnv', 'apiUrl'],
      additionalProperties: false,
      properties: {
        type: { const: 'github-actions' },
        repository: text,
        environment: text,
        tokenEnv: text,
        apiUrl: text,
      },
    },
    {
      type: 'object',
      required: ['type', 'command', 'timeoutSeconds'],
      additionalProperties: false,
      properties: {
        type: { const: 'exec' },
        command: strings,
        timeoutSeconds: { type: 'number' },
        inheritEnv: strings,
      },
    },
  ],
} as const;

/** GuardrailMode (src/config/types.ts): the applied snapshot records each rule's mode with the rule. */
const guardrailMode = { enum: ['enforce', 'warn', 'enforce-new'] } as const;

export const appliedConfigSchema = {
  type: 'object',
  required: ['digest', 'defaultSink', 'sinks', 'policy', 'applied_at'],
  additionalProperties: false,
  properties: {
    digest: text,
    defaultSink: text,
    sinks: { type: 'object', additionalProperties: sinkConfigSchema },
    policy: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mode: guardrailMode,
        modes: {
          type: 'object',
          additionalProperties: false,
          properties: {
            tokenMaxLifetimeDays: guardrailMode,
            forbiddenPermissionGroups: guardrailMode,
            wildcardNeedsIpCondition: guardrailMode,
            peerAllowedCidrs: guardrailMode,
            peerAllowedPorts: guardrailMode,
            aclAllowedCidrs: guardrailMode,
          },
        },
        tokenMaxLifetimeDays: { type: 'number' },
        forbiddenPermissionGroups: strings,
        wildcardNeedsIpCondition: { type: 'boolean' },
        peerAllowedCidrs: strings,
        peerAllowedPorts: { type: 'array', items: { type: 'integer' } },
        aclAllowedCidrs: strings,
      },
    },
    applied_at: text,
  },
} as const;

export const stateDocumentSchema = {
  type: 'object',
  required: ['format_version', 'lineage', 'serial', 'resources', 'pending'],
  additionalProperties: false,
  properties: {
    format_version: { const: 1 },
    lineage: text,
    serial: { type: 'integer', minimum: 0 },
    resources: { type: 'object', additionalProperties: recordedResourceSchema },
    pending: { type: 'object', additionalProperties: intentSchema },
    applied_config: appliedConfigSchema,
  },
} as const;
