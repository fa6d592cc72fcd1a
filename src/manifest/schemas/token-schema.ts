import { HEX32_PATTERN, cidrSchema, manifestDocumentSchema } from './common-schemas.js';

/** Shorthands users may write for a permission group's scope; the loader normalises them to the full form. */
export const SCOPE_SHORTHANDS = {
  account: 'com.cloudflare.api.account',
  zone: 'com.cloudflare.api.account.zone',
  user: 'com.cloudflare.api.user',
} as const;

const cidrListSchema = {
  type: 'array',
  minItems: 1,
  items: cidrSchema,
} as const;

export const permissionGroupSelectorSchema = {
  description:
    'A permission group, by {name, scope?} (resolved to an id against the live catalog at plan time) or by {id}. ' +
    'Some names exist at several scopes (e.g. "Logs Read"): give scope for those.',
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1, description: 'Permission group name, e.g. "DNS Write".' },
        scope: {
          type: 'string',
          enum: [
            'account',
            'zone',
            'user',
            'com.cloudflare.api.account',
            'com.cloudflare.api.account.zone',
            'com.cloudflare.api.user',
          ],
          description: 'account | zone | user, or the full com.cloudflare.api.* scope; stored in the full form.',
        },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['id'],
      properties: { id: { type: 'string', pattern: HEX32_PATTERN, description: 'Permission group id (32 hex).' } },
    },
  ],
} as const;

export const tokenPolicySchema = {
  type: 'object',
  description: 'One policy: allow or deny these permission groups on these resources.',
  additionalProperties: false,
  required: ['effect', 'permission_groups', 'resources'],
  properties: {
    effect: { type: 'string', enum: ['allow', 'deny'], description: 'allow or deny.' },
    permission_groups: {
      type: 'array',
      minItems: 1,
      description: 'The permission groups this policy grants or denies.',
      items: permissionGroupSelectorSchema,
    },
    resources: {
      type: 'object',
      minProperties: 1,
      description:
        'Flat ("com.cloudflare.api.account.zone.<ZONE_ID>": "*") or nested ("com.cloudflare.api.account.<ID>": ' +
        '{"com.cloudflare.api.account.zone.*": "*"}) resource map, as in ../shared/cloudflare/NOTES.md.',
      propertyNames: { pattern: '^com\\.cloudflare\\.api\\.' },
      additionalProperties: {
        anyOf: [
          { type: 'string', minLength: 1, description: 'Usually "*".' },
          {
            type: 'object',
            minProperties: 1,
            propertyNames: { pattern: '^com\\.cloudflare\\.api\\.' },
            additionalProperties: { type: 'string', minLength: 1, description: 'Usually "*".' },
            description: 'Nested resources under an account.',
          },
        ],
      },
    },
  },
} as const;

export const tokenSpecSchema = {
  type: 'object',
  description: 'An account-owned API token, with the API field names; its value goes to a secret sink.',
  additionalProperties: false,
  required: ['name', 'policies'],
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      maxLength: 120,
      description: 'The token name as Cloudflare stores it (at most 120 characters) — unique per account.',
    },
    policies: {
      type: 'array',
      minItems: 1,
      description: 'At least one policy. Order does not matter (compared as a set).',
      items: tokenPolicySchema,
    },
    condition: {
      type: 'object',
      additionalProperties: false,
      description: 'Restrictions on where the token may be used from.',
      properties: {
        request_ip: {
          type: 'object',
          additionalProperties: false,
          description: 'Client IP restrictions.',
          properties: {
            in: { ...cidrListSchema, description: 'The token works only from these CIDRs.' },
            not_in: { ...cidrListSchema, description: 'The token never works from these CIDRs.' },
          },
        },
      },
    },
    not_before: {
      type: 'string',
      format: 'date-time',
      description: 'RFC 3339 time before which the token does not work, e.g. 2026-01-01T00:00:00Z.',
    },
    expires_on: {
      type: 'string',
      format: 'date-time',
      description: 'RFC 3339 time the token expires; must be after not_before and in the future.',
    },
    status: {
      type: 'string',
      enum: ['active', 'disabled'],
      description: 'active (default) or disabled.',
    },
    secret: {
      type: 'object',
      additionalProperties: false,
      description: 'Where the token value is delivered. Never the value itself.',
      properties: {
        sink: {
          type: 'string',
          minLength: 1,
          description: 'A sink name from the Config document (spec.secrets.sinks); default: spec.secrets.default.',
        },
        key: {
          type: 'string',
          minLength: 1,
          maxLength: 255,
          description: 'Key the sink stores the value under; default: metadata.name.',
        },
      },
    },
  },
} as const;

export const tokenDocumentSchema = manifestDocumentSchema(
  'account-token.schema.json',
  'AccountToken',
  'An account-owned Cloudflare API token (apiVersion cfgitops.dev/v1).',
  tokenSpecSchema,
);
