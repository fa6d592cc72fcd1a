/**
 * Building blocks shared by every manifest schema. The schemas are `as const` objects so json-schema-to-ts can turn
 * them into the spec types (src/manifest/types.ts); `schemas/*.schema.json` are emitted from them by
 * test/unit/manifest/schema-files.test.ts (CFGITOPS_WRITE_SCHEMAS=1), which fails if the two drift.
 */

import { DURATION_PATTERN } from '../../duration.js';

export const API_VERSION = 'cfgitops.dev/v1';
export const SCHEMA_BASE = 'https://cfgitops.dev/schemas/v1/';
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

export const METADATA_NAME_PATTERN = '^(?=.{1,63}$)[a-z0-9]([a-z0-9.-]*[a-z0-9])?$';
export const ACCOUNT_ALIAS_PATTERN = '^[a-z][a-z0-9_-]{0,62}$';
export const ACCOUNT_REF_PATTERN = '^([a-z][a-z0-9_-]{0,62}|[0-9a-f]{32})$';
export const HEX32_PATTERN = '^[0-9a-f]{32}$';

export const metadataSchema = {
  type: 'object',
  description: 'Identity of the resource inside cfgitops. Never changes for the life of the resource.',
  additionalProperties: false,
  required: ['name', 'account'],
  properties: {
    name: {
      type: 'string',
      pattern: METADATA_NAME_PATTERN,
      description:
        'Stable logical name, unique per (kind, account): lowercase letters, digits, "-" and ".", at most 63 ' +
        'characters, starting and ending with a letter or digit. Renaming it means deleting and creating the resource.',
    },
    account: {
      type: 'string',
      pattern: ACCOUNT_REF_PATTERN,
      description:
        'An account alias defined in the Config document (spec.accounts), or a 32-hex Cloudflare account id.',
    },
    annotations: {
      type: 'object',
      description:
        'Free-form string annotations. Known: cfgitops.dev/prevent-destroy: "true" blocks deleting it; ' +
        'cfgitops.dev/on-adopt: keep | roll decides what adopting an existing token does with its value; ' +
        'cfgitops.dev/suspend: "true" leaves it unreconciled; cfgitops.dev/approve-replace: TOKEN_ID lets a ' +
        'protected token that must be re-created (expired, or revoked as exposed) be replaced.',
      additionalProperties: { type: 'string', description: 'An annotation value (always a string; quote "true").' },
      properties: {
        'cfgitops.dev/prevent-destroy': {
          type: 'string',
          enum: ['true', 'false'],
          description:
            'When "true", a plan that would delete this resource fails with E_PREVENT_DESTROY; one that would ' +
            're-create it (an expired or exposed token) holds that step for a decision (cfgitops.dev/approve-replace). ' +
            'Removing the annotation takes effect at once, whatever the state recorded.',
        },
        'cfgitops.dev/approve-replace': {
          type: 'string',
          pattern: '^[0-9a-f]{32}$',
          description:
            'AccountToken only: the id of the live token that may be replaced although prevent-destroy protects it ' +
            '(the plan prints it on the held step). Spent by the replacement: the new token has a new id.',
        },
        'cfgitops.dev/on-adopt': {
          type: 'string',
          enum: ['keep', 'roll'],
          description:
            'AccountToken only: what adopting an existing live token does with its value, for this resource ' +
            "(overrides the Config's tokens.onAdopt). keep: the value stays where it is (recorded external, never " +
            'rolled by plans; `rotate` rolls it into its sink when you are ready); roll: a new value goes to the sink. ' +
            '`cfgitops export` writes keep on every token it exports.',
        },
        'cfgitops.dev/suspend': {
          type: 'string',
          enum: ['true', 'false'],
          description:
            'When "true", plans leave this resource as it is (a no-op step saying it is suspended, and a W_SUSPENDED warning), and so does every step that depends on it.',
        },
      },
    },
  },
} as const;

/**
 * A rotation policy: how often a token gets a new value and how. The same three fields per token
 * (`spec.rotation`) and as the Config default (`tokens.rotation`); a token's own fields win one by one.
 * docs/rotation.md says which strategy to choose.
 */
export const rotationPolicySchema = {
  type: 'object',
  additionalProperties: false,
  description:
    'When and how the token value is rotated (docs/rotation.md). Each field overrides the Config default ' +
    'tokens.rotation; e.g. {every: 30d, strategy: overlap, grace: 24h}.',
  properties: {
    every: {
      type: 'string',
      pattern: '^([1-9][0-9]*(s|m|h|d)|never)$',
      description:
        'Rotate a value once it is this old (e.g. 30d, 12h); plan shows it as a rotate step and apply does it. ' +
        'never: only `cfgitops rotate` rotates it. Default: the Config tokens.rotation.every, else never.',
    },
    strategy: {
      type: 'string',
      enum: ['overlap', 'roll'],
      description:
        'overlap (default): a successor token with the same policies is created and delivered, and the old one keeps ' +
        'working for the grace period; roll: same token id, new value, the old value stops working at once.',
    },
    grace: {
      type: 'string',
      pattern: DURATION_PATTERN,
      description:
        'overlap: how long the old value keeps working after the new one is delivered (e.g. 24h); shorter than every. Default 24h.',
    },
  },
} as const;

export const cidrSchema = {
  type: 'string',
  format: 'cidr',
  description: 'An IPv4 or IPv6 CIDR, e.g. 192.0.2.0/24 or 2001:db8::/32 (a bare address means a single host).',
} as const;

/** The envelope every manifest document shares; `spec` differs per kind. */
export function manifestDocumentSchema(
  file: string,
  kind: string,
  description: string,
  spec: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return {
    $schema: JSON_SCHEMA_DIALECT,
    $id: `${SCHEMA_BASE}${file}`,
    title: kind,
    description,
    type: 'object',
    additionalProperties: false,
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    properties: {
      apiVersion: { const: API_VERSION, description: `Manifest format version; always ${API_VERSION}.` },
      kind: { const: kind, description: `The resource kind: ${kind}.` },
      metadata: metadataSchema,
      spec,
    },
  };
}
